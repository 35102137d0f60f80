import { describe, expect, it } from 'vitest';
import { redeemRecoveryCode, redeemTotpCode } from '../src/core/mfa-redeem';
import { newRecoveryCodes, type RecoveryCodeSet } from '../src/core/recovery-codes';
import { openSecretText, type SealedSecret, sealSecret } from '../src/core/sealed-secret';
import { totpSecretContext } from '../src/core/secret-contexts';
import { newTotpSecret, totpCode, totpStep } from '../src/core/totp';
import type { Key, Store } from '../src/store/store';
import { testKeyVault } from './helpers/app';
import { testClock } from './helpers/clock';
import { slowReads } from './helpers/slow-reads';
import { storeFactories } from './helpers/stores';
import { wrongTotpCode } from './helpers/totp-codes';

const KEY: Key = { pk: 'USER#arindam369', sk: 'MFA' };
const CONTEXT = totpSecretContext('arindam369');
/** The secret as the user record keeps it: sealed under the key-encryption key. */
const sealedTotp = async (secret: string) => ({ sealed: await sealSecret(testKeyVault, CONTEXT, secret), enabledAt: '2026-12-01T00:00:00.000Z' });
const open = (state: { sealed: SealedSecret }) => openSecretText(testKeyVault, state.sealed, CONTEXT);

async function setup(factory: (typeof storeFactories)[number]) {
  const clock = testClock();
  const store = await factory.make(clock.now);
  return { clock, store };
}

/** The store, with one write from somewhere else landing just before the first update it is asked for. */
function interrupted(store: Store, key: Key): Store {
  let done = false;
  return {
    ...store,
    update: async (k, changes, condition) => {
      if (!done) {
        done = true;
        await store.update(key, { set: { touchedBy: 'another request' } });
      }
      return store.update(k, changes, condition);
    },
  };
}

describe.each(storeFactories)('spending a second factor once, on $name', (factory) => {
  it('a TOTP code is accepted once, and its step is stored as spent', async () => {
    const { clock, store } = await setup(factory);
    const secret = newTotpSecret();
    await store.create({ ...KEY, data: { totp: await sealedTotp(secret) } });
    // This step's code and the next differ (they are the same one time in a million).
    while (totpCode({ secret, now: clock.now() }) === totpCode({ secret, now: clock.now() + 30_000 })) clock.advance(30_000);
    const code = totpCode({ secret, now: clock.now() });
    const step = totpStep(clock.now());
    expect(await redeemTotpCode(store, clock, KEY, code, open)).toEqual({ ok: true, step });
    expect((await store.get(KEY))?.data).toMatchObject({ totp: { lastUsedStep: step } });
    expect(await redeemTotpCode(store, clock, KEY, code, open)).toEqual({ ok: false, reason: 'replayed' });
    // Still refused in the next step, while the code is inside the drift window.
    clock.advance(30_000);
    expect(await redeemTotpCode(store, clock, KEY, code, open)).toEqual({ ok: false, reason: 'replayed' });
    // The next code is fresh.
    expect(await redeemTotpCode(store, clock, KEY, totpCode({ secret, now: clock.now() }), open)).toEqual({ ok: true, step: step + 1 });
  });

  it('a wrong or malformed TOTP code writes nothing', async () => {
    const { clock, store } = await setup(factory);
    const secret = newTotpSecret();
    const created = await store.create({ ...KEY, data: { totp: await sealedTotp(secret) } });
    expect(await redeemTotpCode(store, clock, KEY, wrongTotpCode(secret, clock.now()), open)).toEqual({ ok: false, reason: 'wrong' });
    expect(await redeemTotpCode(store, clock, KEY, '12345', open)).toEqual({ ok: false, reason: 'malformed' });
    expect(await store.get(KEY)).toEqual(created);
  });

  it('without TOTP set up, or without the record, the answer is not_enrolled', async () => {
    const { clock, store } = await setup(factory);
    expect(await redeemTotpCode(store, clock, KEY, '123456', open)).toEqual({ ok: false, reason: 'not_enrolled' });
    expect(await redeemRecoveryCode(store, clock, KEY, 'abcde-fghjk')).toEqual({ ok: false, reason: 'not_enrolled' });
    await store.create({ ...KEY, data: { other: true } });
    expect(await redeemTotpCode(store, clock, KEY, '123456', open)).toEqual({ ok: false, reason: 'not_enrolled' });
    expect(await redeemRecoveryCode(store, clock, KEY, 'abcde-fghjk')).toEqual({ ok: false, reason: 'not_enrolled' });
  });

  it('of ten requests with the same right TOTP code at once, exactly one is accepted', async () => {
    const { clock, store } = await setup(factory);
    const secret = newTotpSecret();
    await store.create({ ...KEY, data: { totp: await sealedTotp(secret) } });
    const code = totpCode({ secret, now: clock.now() });
    const results = await Promise.all(Array.from({ length: 10 }, () => redeemTotpCode(slowReads(store), clock, KEY, code, open)));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, step: totpStep(clock.now()) }]);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed')).toHaveLength(9);
  });

  it('a recovery code is spent once; the stored set marks it and keeps the rest', async () => {
    const { clock, store } = await setup(factory);
    const { codes, stored } = await newRecoveryCodes();
    await store.create({ ...KEY, data: { recoveryCodes: stored } });
    expect(await redeemRecoveryCode(store, clock, KEY, codes[2]!.toUpperCase())).toEqual({ ok: true, index: 2, left: 9 });
    const after = (await store.get(KEY))?.data.recoveryCodes as RecoveryCodeSet;
    expect(after.salt).toBe(stored.salt);
    expect(after.codes[2]).toEqual({ hash: stored.codes[2]!.hash, usedAt: clock.now() });
    expect(after.codes.filter((entry) => entry.usedAt === undefined)).toHaveLength(9);
    expect(await redeemRecoveryCode(store, clock, KEY, codes[2]!)).toEqual({ ok: false, reason: 'used' });
    const foreign = (await newRecoveryCodes()).codes[0]!;
    expect(codes).not.toContain(foreign);
    expect(await redeemRecoveryCode(store, clock, KEY, foreign)).toEqual({ ok: false, reason: 'wrong' });
    expect(await redeemRecoveryCode(store, clock, KEY, 'not a code')).toEqual({ ok: false, reason: 'malformed' });
    expect(await redeemRecoveryCode(store, clock, KEY, codes[7]!)).toEqual({ ok: true, index: 7, left: 8 });
  });

  it('of ten requests with the same recovery code at once, exactly one spends it', async () => {
    const { clock, store } = await setup(factory);
    const { codes, stored } = await newRecoveryCodes();
    await store.create({ ...KEY, data: { recoveryCodes: stored } });
    const results = await Promise.all(Array.from({ length: 10 }, () => redeemRecoveryCode(slowReads(store), clock, KEY, codes[0]!)));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, index: 0, left: 9 }]);
    expect(results.filter((r) => !r.ok && r.reason === 'used')).toHaveLength(9);
  });

  it('three different recovery codes at once are all spent, none lost', async () => {
    const { clock, store } = await setup(factory);
    const { codes, stored } = await newRecoveryCodes();
    await store.create({ ...KEY, data: { recoveryCodes: stored } });
    const results = await Promise.all([1, 4, 8].map((i) => redeemRecoveryCode(slowReads(store), clock, KEY, codes[i]!)));
    expect(results.map((r) => r.ok && r.index)).toEqual([1, 4, 8]);
    expect(results.map((r) => r.ok && r.left).sort()).toEqual([7, 8, 9]);
    const after = (await store.get(KEY))?.data.recoveryCodes as RecoveryCodeSet;
    expect(after.codes.flatMap((entry, i) => (entry.usedAt === undefined ? [] : [i]))).toEqual([1, 4, 8]);
  });

  it('a write to the same record by something else meanwhile is kept, and the spend still lands', async () => {
    const { clock, store } = await setup(factory);
    const secret = newTotpSecret();
    const { codes, stored } = await newRecoveryCodes();
    await store.create({ ...KEY, data: { totp: await sealedTotp(secret), recoveryCodes: stored } });
    expect(await redeemRecoveryCode(interrupted(store, KEY), clock, KEY, codes[5]!)).toEqual({ ok: true, index: 5, left: 9 });
    expect(await redeemTotpCode(interrupted(store, KEY), clock, KEY, totpCode({ secret, now: clock.now() }), open)).toMatchObject({ ok: true });
    const data = (await store.get(KEY))?.data;
    expect(data).toMatchObject({ touchedBy: 'another request', totp: { lastUsedStep: totpStep(clock.now()) } });
    expect((data!.recoveryCodes as RecoveryCodeSet).codes[5]?.usedAt).toBe(clock.now());
  });
});
