// Web Crypto globals only, so the core runs unchanged on Node and Lambda.

/** Bytes (or a string's UTF-16 code units below 256, as btoa takes them) as unpadded base64url. */
export const base64url = (bytes: Uint8Array | string): string => {
  let binary = typeof bytes === 'string' ? bytes : '';
  if (typeof bytes !== 'string') for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** The binary string behind a base64url text; throws on text that is not base64url. */
export const fromBase64url = (text: string): string => atob(text.replace(/-/g, '+').replace(/_/g, '/'));

/** A URL-safe random string carrying `bytes` bytes of entropy. */
export function randomToken(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** SHA-256 of a UTF-8 string, base64url. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return base64url(new Uint8Array(digest));
}

/** Compares two strings in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
