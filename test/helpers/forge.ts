import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token: header {alg:"none"}, the given claims, an empty signature. */
export function unsignedToken(claims: JWTPayload): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The same token with one claim changed and the original signature kept. */
export function tamper(token: string, change: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64({ ...decodeJwt(token), ...change })}.${signature}`;
}

/** HS256 over the claims, keyed with the text of a public JWK (the classic algorithm-confusion attack). */
export async function hmacWithPublicKey(claims: JWTPayload, publicJwk: object, kid: string): Promise<string> {
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' }).sign(secret);
}

/** A well-formed RS256 token signed with a key the server has never seen, under a given kid. */
export async function foreignKeyToken(claims: JWTPayload, kid: string): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(privateKey);
}

export const claimsOf = decodeJwt;
export const headerOf = decodeProtectedHeader;
export { exportJWK };

/**
 * The text with one character changed, always to another: by default one in the middle of its last
 * dot-separated part (a secret's or a signature's), where every base64url bit counts.
 */
export function alterOne(text: string, at = text.length - Math.ceil((text.length - text.lastIndexOf('.') - 1) / 2)): string {
  const other = text[at] === 'A' ? 'B' : 'A';
  return `${text.slice(0, at)}${other}${text.slice(at + 1)}`;
}
