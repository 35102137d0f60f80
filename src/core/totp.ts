// RFC 6238 one-time codes. `otpauth/slim` computes HMAC-SHA-1 with @noble/hashes (plain
// JavaScript); the package's default entry would load node:crypto on Node, which the core avoids.
import { HOTP, Secret, TOTP } from 'otpauth/slim';
import { timingSafeEqual } from './token-crypto';

export const TOTP_ALGORITHM = 'SHA1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Steps accepted either side of the current one, for clocks that drift and codes typed slowly. */
export const TOTP_DRIFT_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 block the RFC's own test secret has. */
const SECRET_BYTES = 20;
const CODE_PATTERN = /^[0-9]{6}$/;
/** Longer input is refused before any work is done on it. */
const CODE_INPUT_MAX = 64;

export type TotpCheck = { readonly ok: true; readonly step: number } | { readonly ok: false; readonly reason: 'malformed' | 'wrong' | 'replayed' };

export interface TotpCheckInput {
  /** The shared secret, base32 as `newTotpSecret` made it. */
  readonly secret: string;
  /** What the person typed. */
  readonly code: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** The step of the last code accepted for this secret; that step and every earlier one are spent. */
  readonly lastUsedStep?: number | undefined;
}

/** The 30-second time step a moment falls in (RFC 6238's T). */
export const totpStep = (now: number): number => Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);

/** A new shared secret: 20 random bytes, base32 without padding (32 characters). */
export function newTotpSecret(): string {
  return new Secret({ buffer: crypto.getRandomValues(new Uint8Array(SECRET_BYTES)).buffer }).base32;
}

const codeAtStep = (secret: Secret, step: number): string => HOTP.generate({ secret, algorithm: TOTP_ALGORITHM, digits: TOTP_DIGITS, counter: step });

/** The code an authenticator app shows at `now` (for tests and tools; the server only checks). */
export function totpCode({ secret, now }: { secret: string; now: number }): string {
  return codeAtStep(Secret.fromBase32(secret), totpStep(now));
}

/**
 * The key URI authenticator apps read from a QR code: `otpauth://totp/Issuer:account?...`.
 * Neither part may contain a colon, which the format uses to separate them.
 */
export function otpauthUrl({ issuer, account, secret }: { issuer: string; account: string; secret: string }): string {
  for (const [name, value] of [
    ['issuer', issuer],
    ['account', account],
  ] as const) {
    if (value.length === 0 || value.includes(':')) throw new RangeError(`otpauthUrl: ${name} must be non-empty and contain no colon`);
  }
  const totp = new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
  return totp.toString();
}

/**
 * Checks a typed code against the current step and one step either side. Every candidate is
 * computed and compared in constant time; a match at or before `lastUsedStep` is a replay. On
 * success the caller stores `step` as the new `lastUsedStep` with a conditional write, so of two
 * requests racing with one code only one is accepted.
 */
export function checkTotp({ secret, code, now, lastUsedStep }: TotpCheckInput): TotpCheck {
  if (code.length > CODE_INPUT_MAX) return { ok: false, reason: 'malformed' };
  const typed = code.replace(/\s/g, '');
  if (!CODE_PATTERN.test(typed)) return { ok: false, reason: 'malformed' };
  const key = Secret.fromBase32(secret);
  const current = totpStep(now);
  // Nearest first: the current step, then the one before and the one after, and so on.
  const candidates = [current];
  for (let drift = 1; drift <= TOTP_DRIFT_STEPS; drift++) candidates.push(current - drift, current + drift);
  let matched: number | undefined;
  let replayed = false;
  for (const step of candidates) {
    if (step < 0) continue;
    const equal = timingSafeEqual(codeAtStep(key, step), typed);
    if (!equal) continue;
    if (lastUsedStep !== undefined && step <= lastUsedStep) replayed = true;
    else matched ??= step;
  }
  if (matched !== undefined) return { ok: true, step: matched };
  return { ok: false, reason: replayed ? 'replayed' : 'wrong' };
}
