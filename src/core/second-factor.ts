import { type Item, isConditionFailed, type Store } from '../store/store';
import type { AuthMethod, TokenSettings } from './access-token';
import type { Clock } from './clock';
import { AuthError } from './errors';
import type { KeyVault } from './key-vault';
import { draftLoginSession, type OpenedSession, openLoginSession } from './login-session';
import { redeemRecoveryCode, redeemTotpCode, type TotpState } from './mfa-redeem';
import { finishMfa, MFA_TOKEN_DEFAULTS, type MfaTokenSettings, startMfa, takeMfaAttempt } from './mfa-tokens';
import { type UserRecord, userKey } from './records';
import { newRecoveryCodes, normalizeRecoveryCode, type RecoveryCodeSet, recoveryCodesLeft } from './recovery-codes';
import { openSecretText, type SealedSecret, sealSecret } from './sealed-secret';
import { totpSecretContext } from './secret-contexts';
import type { SigningKeys } from './signing-keys';
import type { Throttle } from './throttle';
import { signedInUser } from './users';

/** A TOTP secret made by setup and not yet confirmed by a right code. */
export interface PendingTotp extends Record<string, unknown> {
  readonly sealed: SealedSecret;
  readonly createdAt: string;
}

/** What the user record holds of the second factor (removed with the user). */
export interface SecondFactorFields {
  totp?: TotpState;
  totpPending?: PendingTotp;
  recoveryCodes?: RecoveryCodeSet;
}

export interface SecondFactorDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly keyVault: KeyVault;
  readonly throttle: Throttle;
  readonly settings: TokenSettings & { readonly sessionTtl: number; readonly appName?: string; readonly mfaToken?: MfaTokenSettings };
}

export interface MfaChallenge {
  readonly mfaToken: string;
  readonly expiresIn: number;
}

export interface MfaLogin {
  readonly mfaToken: string;
  readonly code?: string | undefined;
  readonly recoveryCode?: string | undefined;
}

const WITH_SECOND_FACTOR: readonly AuthMethod[] = ['pwd', 'otp'];
const CODE_FORMAT = /^\s*\d(?:\s*\d){5}\s*$/;

type User = UserRecord & SecondFactorFields;

/** TOTP (RFC 6238) as a second factor, with single-use recovery codes: setup, login, and the rest. */
export function createSecondFactor(deps: SecondFactorDeps) {
  const { store, clock, keyVault, throttle, settings } = deps;
  const tokenSettings = settings.mfaToken ?? MFA_TOKEN_DEFAULTS;
  const appName = settings.appName ?? 'Gatehouse';

  const userItem = (username: string): Promise<Item<User>> => signedInUser<User>(store, username);
  const openTotp = (username: string) => (state: { sealed: SealedSecret }) => openSecretText(keyVault, state.sealed, totpSecretContext(username));

  /** Writes over the version read; a change meanwhile (a login's re-hash, another tab) is a conflict to retry. */
  const write = async (item: Item<User>, set: Record<string, unknown>, remove: string[] = []) => {
    try {
      await store.update(item, { set, remove }, { ifVersion: item.version });
    } catch (error) {
      if (isConditionFailed(error)) throw new AuthError('conflict');
      throw error;
    }
  };

  return {
    isOn: (user: User): boolean => Boolean(user.totp),

    status: (user: User) => ({ totp: Boolean(user.totp), recoveryCodesLeft: user.recoveryCodes ? recoveryCodesLeft(user.recoveryCodes) : 0 }),

    /** A new secret, pending until a right code confirms it; one pending at a time. */
    async setup(username: string): Promise<{ secret: string; otpauthUrl: string }> {
      const item = await userItem(username);
      if (item.data.totp) throw new AuthError('mfa_already_enabled');
      // The one-time-code library loads with the first request that needs it, not at start.
      const { newTotpSecret, otpauthUrl } = await import('./totp');
      const secret = newTotpSecret();
      const pending: PendingTotp = { sealed: await sealSecret(keyVault, totpSecretContext(username), secret), createdAt: new Date(clock.now()).toISOString() };
      await write(item, { totpPending: pending });
      return { secret, otpauthUrl: otpauthUrl({ issuer: appName, account: username, secret }) };
    },

    /** A right code from the pending secret turns TOTP on; the recovery codes are shown this once. */
    async confirm(username: string, code: string): Promise<{ recoveryCodes: string[] }> {
      const item = await userItem(username);
      if (item.data.totp) throw new AuthError('mfa_already_enabled');
      const pending = item.data.totpPending;
      if (!pending) throw new AuthError('mfa_setup_missing');
      const { checkTotp } = await import('./totp');
      const check = checkTotp({ secret: await openTotp(username)(pending), code, now: clock.now() });
      if (!check.ok)
        throw new AuthError(
          check.reason === 'malformed' ? 'invalid_field' : 'wrong_mfa_code',
          check.reason === 'malformed' ? 'code must be 6 digits' : undefined,
          'code',
        );
      const codes = await newRecoveryCodes();
      const totp: TotpState = { sealed: pending.sealed, lastUsedStep: check.step, enabledAt: new Date(clock.now()).toISOString() };
      await write(item, { totp, recoveryCodes: codes.stored }, ['totpPending']);
      return { recoveryCodes: codes.codes };
    },

    /** A new set of recovery codes; the old set stops working. */
    async regenerate(username: string): Promise<{ recoveryCodes: string[] }> {
      const item = await userItem(username);
      if (!item.data.totp) throw new AuthError('mfa_not_enabled');
      const codes = await newRecoveryCodes();
      await write(item, { recoveryCodes: codes.stored });
      return { recoveryCodes: codes.codes };
    },

    async disable(username: string): Promise<void> {
      const item = await userItem(username);
      if (!item.data.totp) throw new AuthError('mfa_not_enabled');
      await write(item, {}, ['totp', 'totpPending', 'recoveryCodes']);
    },

    /** After a right password, for a user with TOTP on: a short-lived token for the second step. */
    challenge: (user: User): Promise<MfaChallenge> => startMfa(store, clock, user, tokenSettings),

    /**
     * The second step: a code from the app or a recovery code. Each try is taken before the code is
     * checked (5 per token); a wrong code also counts against the account, as a wrong password does.
     */
    async finish(input: MfaLogin, caller: { userAgent?: string | undefined }): Promise<OpenedSession & { user: UserRecord }> {
      const refused = new AuthError('invalid_mfa_code');
      if (input.code !== undefined && !CODE_FORMAT.test(input.code)) throw new AuthError('invalid_field', 'code must be 6 digits', 'code');
      if (input.recoveryCode !== undefined && !normalizeRecoveryCode(input.recoveryCode)) {
        throw new AuthError('invalid_field', 'recoveryCode must look like xxxxx-xxxxx', 'recoveryCode');
      }
      const attempt = await takeMfaAttempt(store, clock, input.mfaToken, tokenSettings);
      if (!attempt.ok) throw new AuthError('invalid_mfa_token');
      const { username } = attempt.pending;
      const key = userKey(username);
      // A locked account (too many failures this hour) answers exactly as a wrong code would.
      const locked = await throttle.accountLocked(username);
      const redeemed = locked
        ? { ok: false as const }
        : input.code !== undefined
          ? await redeemTotpCode(store, clock, key, input.code, openTotp(username))
          : await redeemRecoveryCode(store, clock, key, input.recoveryCode ?? '');
      if (!redeemed.ok) {
        await throttle.accountFailed(username);
        throw refused;
      }
      const user = (await store.get<User>(key))?.data;
      if (!(await finishMfa(store, attempt.pending, user)) || !user) throw new AuthError('invalid_mfa_token');
      return { ...(await openLoginSession(deps, user, caller, await draftLoginSession(deps, user.username, WITH_SECOND_FACTOR), refused)), user };
    },
  };
}

export type SecondFactor = ReturnType<typeof createSecondFactor>;
