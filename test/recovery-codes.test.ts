import { describe, expect, it } from 'vitest';
import {
  findRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  recoveryCodesLeft,
  spendRecoveryCode,
} from '../src/core/recovery-codes';

const SHAPE = /^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

describe('recovery codes', () => {
  it('makes ten different codes of the shape xxxxx-xxxxx, and stores only salted hashes of them', async () => {
    const { codes, stored } = await newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(SHAPE);
    expect(new Set(codes).size).toBe(10);
    expect(stored.codes).toHaveLength(10);
    expect(recoveryCodesLeft(stored)).toBe(10);
    const text = JSON.stringify(stored);
    for (const code of codes) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replace('-', ''));
    }
    for (const entry of stored.codes) expect(Object.keys(entry)).toEqual(['hash']);
    // Another set has another salt: the same code would not hash alike in two sets.
    const other = await newRecoveryCodes();
    expect(other.stored.salt).not.toBe(stored.salt);
    expect(other.codes.filter((code) => codes.includes(code))).toEqual([]);
  });

  it('uses every character of the alphabet, and none that is easy to misread', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) for (const code of (await newRecoveryCodes()).codes) for (const c of code.replace('-', '')) seen.add(c);
    expect([...seen].sort().join('')).toBe('0123456789abcdefghjkmnpqrstvwxyz');
  });

  it('forgives case, spaces, dashes, and i, l, o typed for 1, 1, 0', () => {
    const canonical = 'ab1cd-0efgh';
    const expected = 'ab1cd0efgh';
    for (const typed of [
      canonical,
      'AB1CD-0EFGH',
      ' ab1cd 0efgh ',
      'ab1cd0efgh',
      'ab-1c-d0-ef-gh',
      'abIcd-Oefgh',
      'abLcd–0efgh',
      'ablcd\u20130efgh',
      'ab1cd\u22120efgh',
    ]) {
      expect(normalizeRecoveryCode(typed), typed).toBe(expected);
    }
    for (const typed of ['', 'ab1cd-0efg', 'ab1cd-0efghj', 'ab1cd-0efgu', 'ab1cd_0efgh', 'ab1cd.0efgh', 'ab1cd-0efgé', `ab1cd-0efgh${' '.repeat(100)}`]) {
      expect(normalizeRecoveryCode(typed), typed).toBeUndefined();
    }
  });

  it('finds the entry a code matches, however it is typed', async () => {
    const { codes, stored } = await newRecoveryCodes();
    for (const [index, code] of codes.entries()) {
      expect(await findRecoveryCode(stored, code)).toEqual({ ok: true, index });
    }
    const typed = ` ${codes[3]!.toUpperCase().replace('-', ' ')} `;
    expect(await findRecoveryCode(stored, typed)).toEqual({ ok: true, index: 3 });
  });

  it('tells a wrong code from one that cannot be a code', async () => {
    const { codes, stored } = await newRecoveryCodes();
    const other = (await newRecoveryCodes()).codes[0]!;
    expect(await findRecoveryCode(stored, other)).toEqual({ ok: false, reason: 'wrong' });
    // A code of another set does not work here, even though it is well formed.
    expect(codes).not.toContain(other);
    expect(await findRecoveryCode(stored, '123456')).toEqual({ ok: false, reason: 'malformed' });
    expect(await findRecoveryCode(stored, 'x'.repeat(100_000))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('each code is spent once, and spending one leaves the others working', async () => {
    const { codes, stored } = await newRecoveryCodes();
    const match = await findRecoveryCode(stored, codes[4]!);
    expect(match).toEqual({ ok: true, index: 4 });
    const after = spendRecoveryCode(stored, 4, 1_760_000_000_000);
    expect(after.codes[4]).toEqual({ hash: stored.codes[4]!.hash, usedAt: 1_760_000_000_000 });
    expect(recoveryCodesLeft(after)).toBe(9);
    // The set that was read is left as it was.
    expect(recoveryCodesLeft(stored)).toBe(10);
    expect(await findRecoveryCode(after, codes[4]!)).toEqual({ ok: false, reason: 'used' });
    expect(await findRecoveryCode(after, codes[4]!.toUpperCase())).toEqual({ ok: false, reason: 'used' });
    expect(() => spendRecoveryCode(after, 4, 1_760_000_000_001)).toThrow(RangeError);
    expect(() => spendRecoveryCode(after, 10, 1_760_000_000_001)).toThrow(RangeError);
    let set = after;
    for (const index of [0, 1, 2, 3, 5, 6, 7, 8, 9]) {
      expect(await findRecoveryCode(set, codes[index]!)).toEqual({ ok: true, index });
      set = spendRecoveryCode(set, index, 1_760_000_000_000 + index);
    }
    expect(recoveryCodesLeft(set)).toBe(0);
    for (const code of codes) expect(await findRecoveryCode(set, code)).toEqual({ ok: false, reason: 'used' });
  });
});
