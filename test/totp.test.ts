import { describe, expect, it } from 'vitest';
import { checkTotp, newTotpSecret, otpauthUrl, totpCode, totpStep } from '../src/core/totp';

/** RFC 6238's SHA-1 test secret, the ASCII "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/**
 * RFC 6238 Appendix B, SHA-1 rows: time in seconds and the 8-digit code. A 6-digit code is the
 * same truncated number modulo 10^6, that is its last six digits.
 */
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
/** An instant in the middle of a step. */
const NOW = 1_760_000_015_000;
const STEP = totpStep(NOW);
const codeAt = (step: number, secret = SECRET) => totpCode({ secret, now: step * 30_000 });

describe('TOTP codes (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it.each(RFC_VECTORS)('at T=%i the code is the last six digits of %s', (seconds, eight) => {
    const now = seconds * 1000;
    expect(totpCode({ secret: RFC_SECRET, now })).toBe(eight.slice(-6));
    expect(checkTotp({ secret: RFC_SECRET, code: eight.slice(-6), now })).toEqual({ ok: true, step: Math.floor(seconds / 30) });
  });

  it('refuses the 8-digit form of a right code as malformed', () => {
    expect(checkTotp({ secret: RFC_SECRET, code: '94287082', now: 59_000 })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a code one step early or late, and refuses two steps either way', () => {
    const codes = [-2, -1, 0, 1, 2].map((d) => codeAt(STEP + d));
    // Five different codes, so an answer can only come from the step it was made for.
    expect(new Set(codes).size).toBe(5);
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP - 1), now: NOW })).toEqual({ ok: true, step: STEP - 1 });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP), now: NOW })).toEqual({ ok: true, step: STEP });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP + 1), now: NOW })).toEqual({ ok: true, step: STEP + 1 });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP - 2), now: NOW })).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP + 2), now: NOW })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('the window moves with the clock: a step is accepted from 30 s before it until 30 s after it ends', () => {
    const code = codeAt(STEP);
    const start = STEP * 30_000;
    expect(checkTotp({ secret: SECRET, code, now: start - 30_000 })).toMatchObject({ ok: true, step: STEP });
    expect(checkTotp({ secret: SECRET, code, now: start - 30_001 })).toEqual({ ok: false, reason: 'wrong' });
    expect(checkTotp({ secret: SECRET, code, now: start + 59_999 })).toMatchObject({ ok: true, step: STEP });
    expect(checkTotp({ secret: SECRET, code, now: start + 60_000 })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('accepts each code once: its step and every earlier one are replays', () => {
    const first = checkTotp({ secret: SECRET, code: codeAt(STEP), now: NOW });
    expect(first).toEqual({ ok: true, step: STEP });
    const lastUsedStep = STEP;
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP), now: NOW, lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP), now: NOW + 30_000, lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP - 1), now: NOW, lastUsedStep })).toEqual({ ok: false, reason: 'replayed' });
    // The next step's code is still fresh, early or on time.
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP + 1), now: NOW, lastUsedStep })).toEqual({ ok: true, step: STEP + 1 });
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP + 1), now: NOW + 30_000, lastUsedStep })).toEqual({ ok: true, step: STEP + 1 });
    // A late code accepted spends the steps before it too.
    expect(checkTotp({ secret: SECRET, code: codeAt(STEP), now: NOW, lastUsedStep: STEP + 1 })).toEqual({ ok: false, reason: 'replayed' });
    // A wrong code is wrong, not a replay.
    const wrong = String((Number(codeAt(STEP)) + 1) % 1_000_000).padStart(6, '0');
    expect([STEP - 1, STEP, STEP + 1].map((step) => codeAt(step))).not.toContain(wrong);
    expect(checkTotp({ secret: SECRET, code: wrong, now: NOW, lastUsedStep })).toEqual({ ok: false, reason: 'wrong' });
  });

  it('takes spaces in a code, and refuses anything that is not exactly six digits', () => {
    const code = codeAt(STEP);
    for (const typed of [` ${code} `, `${code.slice(0, 3)} ${code.slice(3)}`, `${code.slice(0, 3)}\t${code.slice(3)}`]) {
      expect(checkTotp({ secret: SECRET, code: typed, now: NOW })).toEqual({ ok: true, step: STEP });
    }
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    for (const typed of [
      '',
      '      ',
      code.slice(0, 5),
      `${code}0`,
      `${code.slice(0, 3)}-${code.slice(3)}`,
      'abcdef',
      '12345e',
      '-12345',
      '1.2345',
      fullWidth,
      '1'.repeat(10_000),
    ]) {
      expect(checkTotp({ secret: SECRET, code: typed, now: NOW }), JSON.stringify(typed.slice(0, 20))).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('makes 160-bit base32 secrets, a new one each time', () => {
    const secrets = Array.from({ length: 50 }, () => newTotpSecret());
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(new Set(secrets).size).toBe(50);
    // A fresh secret works end to end.
    const secret = secrets[0]!;
    expect(checkTotp({ secret, code: totpCode({ secret, now: NOW }), now: NOW })).toEqual({ ok: true, step: STEP });
  });

  it('writes the key URI authenticator apps read', () => {
    const url = new URL(otpauthUrl({ issuer: 'Gatehouse Demo', account: 'arindam369', secret: SECRET }));
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/Gatehouse Demo:arindam369');
    expect(Object.fromEntries(url.searchParams)).toEqual({ issuer: 'Gatehouse Demo', secret: SECRET, algorithm: 'SHA1', digits: '6', period: '30' });
    expect(otpauthUrl({ issuer: 'Gatehouse Demo', account: 'arindam369', secret: SECRET })).toContain('otpauth://totp/Gatehouse%20Demo:arindam369?');
  });

  it('refuses an issuer or account the URI cannot carry', () => {
    expect(() => otpauthUrl({ issuer: 'localhost:3000', account: 'a', secret: SECRET })).toThrow(RangeError);
    expect(() => otpauthUrl({ issuer: 'Gatehouse', account: 'a:b', secret: SECRET })).toThrow(RangeError);
    expect(() => otpauthUrl({ issuer: '', account: 'a', secret: SECRET })).toThrow(RangeError);
  });
});
