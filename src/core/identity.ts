/** The rules for the names people choose, shared by validation and by the core. */

import { fromBase64url } from './base64url';

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;
export const USERNAME_RULE = "username must be 3–64 characters of a-z, 0-9, '.', '_' or '-'";

/** Usernames are unique case-insensitively: the stored form is lower case. */
export function canonicalUsername(raw: string): string | undefined {
  const lowered = raw.toLowerCase();
  return USERNAME_PATTERN.test(lowered) ? lowered : undefined;
}

/** The username a token carries as base64url; undefined unless it decodes to a stored-form name. */
export function usernameFromBase64url(encoded: string): string | undefined {
  let username: string;
  try {
    username = fromBase64url(encoded);
  } catch {
    return undefined;
  }
  return USERNAME_PATTERN.test(username) ? username : undefined;
}

export const NAME_MAX = 100;
// Control and format characters (including bidi overrides) have no place in a display name.
const NAME_FORBIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A display name (a person's, or a passkey's with its own maximum): NFKC, trimmed, printable. */
export function canonicalName(raw: string, max = NAME_MAX): string | undefined {
  const name = raw.normalize('NFKC').trim();
  const length = [...name].length;
  if (length < 1 || length > max || NAME_FORBIDDEN.test(name)) return undefined;
  return name;
}
export const NAME_RULE = `name must be 1–${NAME_MAX} printable characters`;

// Deliberately plain: one @, no spaces, a dot in the domain; the address is never mailed here.
const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
export function canonicalEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && EMAIL_PATTERN.test(email) ? email : undefined;
}
export const EMAIL_RULE = 'email must be a valid address';
