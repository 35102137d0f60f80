/** Every route the API serves: the app registers them, and the CDK stack deploys exactly these. */
export const ROUTES = [
  { method: 'POST', path: '/register' },
  { method: 'POST', path: '/login' },
  { method: 'POST', path: '/login/mfa' },
  { method: 'POST', path: '/mfa/totp/setup' },
  { method: 'POST', path: '/mfa/totp/confirm' },
  { method: 'POST', path: '/mfa/recovery-codes' },
  { method: 'DELETE', path: '/mfa/totp' },
  { method: 'POST', path: '/verify' },
  { method: 'POST', path: '/logout' },
  { method: 'GET', path: '/user/myprofile' },
  { method: 'POST', path: '/token/refresh' },
  { method: 'POST', path: '/logout/all' },
  { method: 'POST', path: '/password' },
  { method: 'GET', path: '/session' },
  { method: 'GET', path: '/sessions' },
  { method: 'DELETE', path: '/sessions/:id' },
  { method: 'POST', path: '/email/verify' },
  { method: 'POST', path: '/email/verify/resend' },
  { method: 'POST', path: '/email' },
  { method: 'POST', path: '/password/forgot' },
  { method: 'POST', path: '/password/reset' },
  { method: 'POST', path: '/passkeys/register/options' },
  { method: 'POST', path: '/passkeys/register' },
  { method: 'GET', path: '/passkeys' },
  { method: 'DELETE', path: '/passkeys/:id' },
  { method: 'POST', path: '/passkeys/login/options' },
  { method: 'POST', path: '/passkeys/login' },
  { method: 'GET', path: '/messages' },
  { method: 'POST', path: '/messages' },
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/.well-known/jwks.json' },
  { method: 'GET', path: '/.well-known/openid-configuration' },
  { method: 'GET', path: '/openapi.json', docs: true },
  { method: 'GET', path: '/docs', docs: true },
  { method: 'GET', path: '/docs/docs.js', docs: true },
  { method: 'GET', path: '/docs/docs.css', docs: true },
] as const;

export type Route = (typeof ROUTES)[number];

/** The same path in API Gateway's notation: `/sessions/{id}`. */
export const gatewayPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
