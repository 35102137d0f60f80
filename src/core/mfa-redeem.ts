import { type Data, isConditionFailed, type Key, type Store } from '../store/store';
import type { Clock } from './clock';
import { AuthError } from './errors';
import { findRecoveryCode, type RecoveryCodeMatch, type RecoveryCodeSet, recoveryCodesLeft, spendRecoveryCode } from './recovery-codes';
import type { SealedSecret } from './sealed-secret';
import type { TotpCheck } from './totp';

/**
 * Spending a second factor once, in whichever record holds it (`key`, field `field` of its data):
 * each check reads the record, and an accepted code is written back only over the version it was
 * read at. Of requests racing with the same code one write lands; the others read again and find
 * the code spent. A write that lost to a change of something else is simply tried again.
 */

/** TOTP as stored once it is confirmed: the secret (sealed, see sealed-secret.ts), and the step of the last code accepted. */
export interface TotpState extends Record<string, unknown> {
  readonly sealed: SealedSecret;
  readonly lastUsedStep?: number;
  readonly enabledAt: string;
}

export type TotpRedeem = TotpCheck | { readonly ok: false; readonly reason: 'not_enrolled' };
export type RecoveryRedeem =
  | (RecoveryCodeMatch & { readonly ok: true; readonly left: number })
  | Exclude<RecoveryCodeMatch, { ok: true }>
  | { readonly ok: false; readonly reason: 'not_enrolled' };

const ATTEMPTS = 5;

async function spendOnce<T>(store: Store, key: Key, decide: (data: Data) => Promise<{ result: T; write?: Data }>): Promise<T> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const item = await store.get(key);
    const { result, write } = await decide(item?.data ?? {});
    if (!item || !write) return result;
    try {
      await store.update(key, { set: write }, { ifVersion: item.version });
      return result;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }
  throw new AuthError('conflict');
}

/** Checks a TOTP code and, when it is right and fresh, records its step as spent. */
export function redeemTotpCode(
  store: Store,
  clock: Clock,
  key: Key,
  code: string,
  openSecret: (state: TotpState) => Promise<string>,
  field = 'totp',
): Promise<TotpRedeem> {
  return spendOnce<TotpRedeem>(store, key, async (data) => {
    const state = data[field] as TotpState | undefined;
    if (!state) return { result: { ok: false, reason: 'not_enrolled' } };
    const { checkTotp } = await import('./totp');
    const result = checkTotp({ secret: await openSecret(state), code, now: clock.now(), lastUsedStep: state.lastUsedStep });
    return result.ok ? { result, write: { [field]: { ...state, lastUsedStep: result.step } } } : { result };
  });
}

/** Checks a recovery code and, when it is one of the set and unused, marks it spent. */
export function redeemRecoveryCode(store: Store, clock: Clock, key: Key, presented: string, field = 'recoveryCodes'): Promise<RecoveryRedeem> {
  return spendOnce<RecoveryRedeem>(store, key, async (data) => {
    const set = data[field] as RecoveryCodeSet | undefined;
    if (!set) return { result: { ok: false, reason: 'not_enrolled' } };
    const match = await findRecoveryCode(set, presented);
    if (!match.ok) return { result: match };
    const spent = spendRecoveryCode(set, match.index, clock.now());
    return { result: { ...match, left: recoveryCodesLeft(spent) }, write: { [field]: spent } };
  });
}
