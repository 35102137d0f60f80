import type { WriteOp } from '../store/store';
import { applyAddressChange } from './email-change';
import { type EmailCaller, type EmailContext, sendOrLog, sendOrWithdraw } from './email-context';
import { accountMailName } from './email-throttle';
import { findEmailToken, issueEmailToken, prepareEmailToken, spendEmailToken } from './email-tokens';
import { AuthError } from './errors';
import { verifyAddressMail } from './mail-templates';
import { type UserRecord, userKey } from './records';
import { findUser } from './users';

/** What registration needs to confirm a new account's address: a record written with the account, then its mail. */
export interface AddressConfirmation {
  prepare(user: UserRecord): Promise<{ readonly writes: readonly WriteOp[]; send(caller: EmailCaller): Promise<void> }>;
}

/**
 * A new account's address gets its link in the same transaction that makes the account (so there
 * is never an account without one, and registration takes no extra round trip); the mail goes once
 * both are stored. A mail that fails does not fail the registration: it is logged, and the person
 * can ask for a new link once logged in.
 */
export function registrationConfirmation(ctx: EmailContext): AddressConfirmation {
  return {
    async prepare(user) {
      const address = user.email!;
      const { token, item } = await prepareEmailToken(ctx.clock, ctx.settings.tokenTtl, user, 'verify', address);
      return {
        writes: [{ type: 'create', item }],
        async send(caller) {
          await sendOrLog(ctx, verifyAddressMail(ctx.mail, { to: address, name: user.name, token, purpose: 'new-account' }), 'verify-address', caller);
        },
      };
    },
  };
}

const invalid = () => new AuthError('invalid_email_token', undefined, 'token');

/**
 * POST /email/verify: the link's address becomes the account's confirmed address — its current one
 * (`verify`), or the new one it asked for (`change`, which moves the address's claim). The link is
 * spent in the same transaction. Anything else (unknown, expired, used, changed, or made for an
 * address the account no longer has) is invalid_email_token, and nothing changes.
 */
export async function confirmAddress(ctx: EmailContext, token: string, caller: EmailCaller): Promise<{ email: string }> {
  const found = await findEmailToken(ctx.store, token, ['verify', 'change']);
  if (!found) throw invalid();
  if (found.parsed.purpose === 'change') return applyAddressChange(ctx, found.item, found.parsed.username, caller);
  const link = found.item;
  const readUser = async () => {
    const user = await ctx.store.get<UserRecord>(userKey(found.parsed.username));
    if (!user || user.data.email !== link.data.address || user.data.createdAt !== link.data.userCreatedAt) throw invalid();
    return user;
  };
  await spendEmailToken(
    ctx.store,
    link,
    readUser,
    async (user) => [{ type: 'update', key: userKey(user.data.username), changes: { set: { emailVerified: true } }, ifVersion: user.version }],
    invalid,
  );
  return { email: link.data.address };
}

/**
 * POST /email/verify/resend: a new link to the account's current address, replacing the last one.
 * When the mail cannot be sent, the new link is taken back (mail_unavailable, nothing changed but
 * that the earlier link of the same purpose has been replaced).
 */
export async function resendConfirmation(ctx: EmailContext, username: string, caller: EmailCaller): Promise<{ email: string }> {
  await ctx.throttle.admitClient(caller.client);
  const user = await findUser(ctx.store, username);
  if (!user) throw new AuthError('not_authenticated');
  if (!user.email) throw new AuthError('no_email', 'This account has no email address: add one with POST /email');
  if (user.emailVerified) throw new AuthError('email_already_verified');
  await ctx.throttle.admitName(accountMailName(username));
  const { token, item } = await issueEmailToken(ctx.store, ctx.clock, ctx.settings.tokenTtl, user, 'verify', user.email);
  await sendOrWithdraw(ctx, item, () => ctx.mailer.send(verifyAddressMail(ctx.mail, { to: user.email!, name: user.name, token, purpose: 'current-address' })));
  return { email: user.email };
}
