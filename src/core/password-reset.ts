import type { Store } from '../store/store';
import { type EmailCaller, type EmailContext, sendOrLog } from './email-context';
import { accountMailName } from './email-throttle';
import { findEmailToken, issueEmailToken, spendEmailToken, tokenFitsUser, withdrawEmailToken } from './email-tokens';
import { AuthError } from './errors';
import { canonicalEmail, canonicalUsername, EMAIL_RULE, USERNAME_RULE } from './identity';
import { passwordResetMail, passwordWasResetMail } from './mail-templates';
import { checkNewPassword } from './passwords';
import { type EmailRecord, emailKey, type UserRecord, userKey } from './records';
import { endSessionsAround } from './sessions';
import { findUser } from './users';

export interface ForgotInput {
  readonly username?: string | undefined;
  readonly email?: string | undefined;
}

/** The account a forgotten-password request names, by username or by address; undefined when there is none. */
async function accountNamed(store: Store, by: { username: string } | { email: string }): Promise<UserRecord | undefined> {
  if ('username' in by) return await findUser(store, by.username);
  const claim = await store.get<EmailRecord>(emailKey(by.email));
  const user = claim && (await findUser(store, claim.data.username));
  return user?.email === by.email ? user : undefined;
}

function named(input: ForgotInput): { username: string } | { email: string } {
  if (input.username !== undefined && input.email !== undefined) throw new AuthError('invalid_field', 'send either username or email, not both', 'email');
  if (input.email !== undefined) {
    const email = canonicalEmail(input.email);
    if (!email) throw new AuthError('invalid_field', EMAIL_RULE, 'email');
    return { email };
  }
  if (input.username === undefined) throw new AuthError('missing_field', 'username or email is required', 'username');
  const username = canonicalUsername(input.username);
  if (!username) throw new AuthError('invalid_field', USERNAME_RULE, 'username');
  return { username };
}

/**
 * POST /password/forgot. What the request itself does is the same for every name: its shape is
 * checked, the client's and the typed name's mail limits are counted (rate_limited alike for an
 * account and for nobody). Everything that depends on the account — finding it, the account's own
 * mail limit, the link, the mail — is the returned work, which the caller runs after the answer
 * has gone. A link goes only to a verified address. The work never throws: failures are logged
 * with the request id.
 */
export async function forgotPassword(ctx: EmailContext, input: ForgotInput, caller: EmailCaller): Promise<() => Promise<void>> {
  const by = named(input);
  await ctx.throttle.admitClient(caller.client);
  await ctx.throttle.admitName('username' in by ? `forgot:username:${by.username}` : `forgot:email:${by.email}`);
  return async () => {
    try {
      const user = await accountNamed(ctx.store, by);
      if (!user?.email || !user.emailVerified) return;
      if (!(await ctx.throttle.allowName(accountMailName(user.username)))) {
        ctx.logger.warn('password reset mail not sent: the account has had its mails for this hour', { requestId: caller.requestId });
        return;
      }
      const { token, item } = await issueEmailToken(ctx.store, ctx.clock, ctx.settings.tokenTtl, user, 'reset', user.email);
      const mail = passwordResetMail(ctx.mail, { to: user.email, name: user.name, username: user.username, token });
      if (!(await sendOrLog(ctx, mail, 'password-reset', caller))) await withdrawEmailToken(ctx.store, item);
    } catch (error) {
      ctx.logger.error('password reset request failed', { requestId: caller.requestId, error: error instanceof Error ? error.message : String(error) });
    }
  };
}

const invalid = () => new AuthError('invalid_reset_token', undefined, 'token');

/**
 * POST /password/reset: the new password (policy applies) replaces the old in the same transaction
 * that spends the link, and the password version goes up, so a login that checked the old password
 * meanwhile is refused (see login). Every session ends, before the change and after it (see
 * endSessionsAround), and the address is told. Only the password fields are written: everything
 * else the user record holds (a second factor among them) stays. Resolves with the number of
 * sessions ended.
 */
export async function resetPassword(ctx: EmailContext, token: string, newPassword: string, caller: EmailCaller): Promise<number> {
  const { store } = ctx;
  const found = await findEmailToken(store, token, ['reset']);
  if (!found) throw invalid();
  const { username } = found.parsed;
  const current = async () => {
    const user = await store.get<UserRecord>(userKey(username));
    const fits = user && tokenFitsUser(found.item.data, user.data) && user.data.emailVerified && user.data.email === found.item.data.address;
    if (!fits) throw invalid();
    return user;
  };
  const first = await current();
  const policy = await checkNewPassword(newPassword, username, ctx.passwords);
  if (!policy.ok) throw new AuthError('weak_password', policy.message.replace(/^password/, 'newPassword'), 'newPassword');
  const passwordHash = await ctx.hasher.hash(policy.password);
  const { result: user, ended } = await endSessionsAround(store, username, () =>
    spendEmailToken(
      store,
      found.item,
      current,
      async (over) => [
        {
          type: 'update',
          key: userKey(username),
          changes: { set: { passwordHash, passwordVersion: (over.data.passwordVersion ?? 0) + 1 } },
          ifVersion: over.version,
        },
      ],
      invalid,
      first,
    ),
  );
  await sendOrLog(ctx, passwordWasResetMail(ctx.mail, { to: found.item.data.address, name: user.data.name }), 'password-was-reset', caller);
  return ended;
}
