// @ts-check
// Where the API is, and how the page proves who it is.
// Served by the API itself (same origin), the HttpOnly session cookie does the work and the token
// never touches script-readable storage. Served from another origin such as S3/CloudFront
// (config.json names the API), the token is sent as a bearer token, kept in this origin's localStorage.

import { createClient } from '../src/client/gatehouse-client.ts';

/** @typedef {import('../src/client/gatehouse-client.ts').GatehouseClient} GatehouseClient */
/**
 * @typedef {object} Api
 * @property {GatehouseClient} client
 * @property {boolean} sameOrigin whether the API is this page's origin (cookie) or another (bearer token)
 * @property {{ get(): string | null, set(token: string): void, clear(): void }} token the bearer token, for another origin
 */

const TOKEN_KEY = 'gatehouse.token';

/** @returns {Promise<string>} the API's URL from config.json, or '' for this origin */
async function configuredApiUrl() {
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return '';
    /** @type {{ apiUrl?: unknown }} */
    const config = await res.json();
    return typeof config.apiUrl === 'string' ? config.apiUrl.replace(/\/+$/, '') : '';
  } catch {
    return '';
  }
}

/** @returns {Promise<Api>} */
export async function connect() {
  const apiUrl = await configuredApiUrl();
  const sameOrigin = !apiUrl || new URL(apiUrl, location.href).origin === location.origin;
  const token = {
    get: () => (sameOrigin ? null : localStorage.getItem(TOKEN_KEY)),
    /** @param {string} value */
    set: (value) => {
      if (!sameOrigin) localStorage.setItem(TOKEN_KEY, value);
    },
    clear: () => localStorage.removeItem(TOKEN_KEY),
  };
  const client = createClient({ baseUrl: apiUrl, token: token.get, credentials: sameOrigin ? 'same-origin' : 'omit' });
  return { client, sameOrigin, token };
}
