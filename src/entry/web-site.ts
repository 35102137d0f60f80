import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hono } from 'hono';
import type { AppEnv } from '../http/context';

const FILES = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/index.html', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/styles.css', file: 'styles.css', type: 'text/css; charset=utf-8' },
  { path: '/favicon.svg', file: 'favicon.svg', type: 'image/svg+xml' },
];

/** The web app's pages may run their own script and style and talk to this origin; nothing else. */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The web app's routes, served in front of the API: its files (read once) and a config.json
 * that tells the app the API is this same origin.
 */
export function webAppRoutes(webDir: string): (site: Hono<AppEnv>) => void {
  const headers = {
    'Content-Security-Policy': WEB_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  const files = FILES.map(({ path, file, type }) => ({ path, type, body: readFileSync(join(webDir, file)) }));
  return (site) => {
    for (const { path, type, body } of files) site.get(path, (c) => c.body(body, 200, { ...headers, 'Content-Type': type }));
    site.get('/config.json', (c) => c.json({ apiUrl: '' }, 200, headers));
  };
}
