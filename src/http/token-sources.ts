import type { Context } from 'hono';
import { deleteCookie, generateCookie, getCookie } from 'hono/cookie';

export type TokenSource = 'body' | 'header' | 'cookie';

export interface CookieSettings {
  readonly name: string;
  readonly secure: boolean;
}

/** `__Host-` pins the cookie to this exact host and path; browsers accept it only when Secure. */
export const cookieSettings = (issuer: string): CookieSettings => {
  const secure = issuer.startsWith('https://');
  return { name: secure ? '__Host-gatehouse_token' : 'gatehouse_token', secure };
};

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined | null): string | undefined {
  const match = header ? /^Bearer[ ]+(\S+)\s*$/i.exec(header.trim()) : null;
  return match ? match[1] : undefined;
}

/** The session cookie's token, if the request carries one. */
export const sessionCookie = (c: Context, cookie: CookieSettings): string | undefined => getCookie(c, cookie.name) || undefined;

/** The access token of a request: the body's `token`, else `Authorization: Bearer`, else the cookie. */
export function findToken(c: Context, cookie: CookieSettings, bodyToken?: string): { token: string; source: TokenSource } | undefined {
  if (bodyToken) return { token: bodyToken, source: 'body' };
  const fromHeader = bearerToken(c.req.header('authorization'));
  if (fromHeader) return { token: fromHeader, source: 'header' };
  const fromCookie = sessionCookie(c, cookie);
  if (fromCookie) return { token: fromCookie, source: 'cookie' };
  return undefined;
}

/** The Set-Cookie value that hands a page its session's access token. */
export const sessionCookieHeader = (cookie: CookieSettings, token: string, maxAge: number): string =>
  generateCookie(cookie.name, token, { httpOnly: true, sameSite: 'Lax', path: '/', secure: cookie.secure, maxAge });

export function setSessionCookie(c: Context, cookie: CookieSettings, token: string, maxAge: number): void {
  c.header('Set-Cookie', sessionCookieHeader(cookie, token, maxAge), { append: true });
}

export function clearSessionCookie(c: Context, cookie: CookieSettings): void {
  deleteCookie(c, cookie.name, { httpOnly: true, sameSite: 'Lax', path: '/', secure: cookie.secure });
}
