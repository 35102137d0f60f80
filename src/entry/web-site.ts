import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import type { Env } from '../http/app';

const FILES = [
  { path: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/index.html', file: 'index.html', type: 'text/html; charset=utf-8' },
  { path: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { path: '/styles.css', file: 'styles.css', type: 'text/css; charset=utf-8' },
];

/** The web app's pages may run their own script and style and talk to this origin; nothing else. */
export const WEB_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * The API with the web app in front: its three files (read once) and a config.json that tells the
 * app the API is this same origin. Everything else goes to the API.
 */
export function withWebApp(api: Hono<Env>, webDir: string): Hono<Env> {
  const site = new Hono<Env>();
  const headers = {
    'Content-Security-Policy': WEB_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
  for (const { path, file, type } of FILES) {
    const body = readFileSync(join(webDir, file));
    site.get(path, (c) => c.body(body, 200, { ...headers, 'Content-Type': type }));
  }
  site.get('/config.json', (c) => c.json({ apiUrl: '' }, 200, headers));
  site.all('*', (c) => api.fetch(c.req.raw, c.env));
  return site;
}
