// Unpadded base64url, the encoding of every token and digest in the core.

/** Bytes (or a string's UTF-16 code units below 256, as btoa takes them) as unpadded base64url. */
export const base64url = (bytes: Uint8Array | string): string => {
  let binary = typeof bytes === 'string' ? bytes : '';
  if (typeof bytes !== 'string') for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};

/** The binary string behind a base64url text; throws on text that is not base64url. */
export const fromBase64url = (text: string): string => atob(text.replace(/-/g, '+').replace(/_/g, '/'));

/** The bytes behind a base64url text (any such text; `decodeBase64url` takes only canonical ones); throws on text that is not base64url. */
export const bytesFromBase64url = (text: string): Uint8Array => Uint8Array.from(fromBase64url(text), (char) => char.charCodeAt(0));
