import { base64url, bytesFromBase64url } from './base64url';

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * The bytes behind an unpadded base64url text, or undefined for anything else: padding, spaces,
 * the `+`/`/` alphabet, or a non-canonical last character. Each text therefore stands for exactly
 * one byte string, so a changed character is always a changed value.
 */
export function decodeBase64url(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = bytesFromBase64url(text);
  } catch {
    return undefined;
  }
  return base64url(bytes) === text ? bytes : undefined;
}

/** Bytes as unpadded base64url (the counterpart of decodeBase64url). */
export const encodeBase64url = (bytes: Uint8Array): string => base64url(bytes);
