/** Every route the API serves: the app registers them, and the CDK stack deploys exactly these. */
export const ROUTES = [
  { method: 'POST', path: '/register' },
  { method: 'POST', path: '/login' },
  { method: 'POST', path: '/verify' },
  { method: 'POST', path: '/logout' },
  { method: 'GET', path: '/user/myprofile' },
  { method: 'GET', path: '/messages' },
  { method: 'POST', path: '/messages' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/.well-known/jwks.json' },
  { method: 'GET', path: '/.well-known/openid-configuration' },
] as const;

export type Route = (typeof ROUTES)[number];
