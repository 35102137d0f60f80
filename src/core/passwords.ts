/** Password policy (NIST SP 800-63B) and the hashing port. */

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
/** Longest password a login attempt may carry; bounds the hashing work one request can ask for. */
export const LOGIN_PASSWORD_MAX = 1024;

export interface PasswordCheck {
  readonly isCommon: (normalizedPassword: string) => Promise<boolean>;
}

export type PolicyResult = { ok: true; password: string } | { ok: false; message: string };

/** NFKC form: the same password typed on any keyboard hashes the same. Never truncated. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

export async function checkNewPassword(password: string, username: string, check: PasswordCheck): Promise<PolicyResult> {
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN) return { ok: false, message: `password must be at least ${PASSWORD_MIN} characters` };
  if (length > PASSWORD_MAX) return { ok: false, message: `password must be at most ${PASSWORD_MAX} characters` };
  if (normalized.toLowerCase() === username.toLowerCase()) {
    return { ok: false, message: 'password must not be the same as the username' };
  }
  if (await check.isCommon(normalized)) {
    return { ok: false, message: 'password is one of the most common passwords; choose another' };
  }
  return { ok: true, password: normalized };
}

export interface VerifyOutcome {
  readonly ok: boolean;
  /** The stored hash is of an older kind or weaker parameters: store a fresh one. */
  readonly needsRehash: boolean;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<VerifyOutcome>;
  /** A hash of a random password at the current parameters, for logins of unknown users. */
  dummyHash(): Promise<string>;
}
