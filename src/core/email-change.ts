import type { Item, WriteOp } from '../store/store';
import { type EmailCaller, type EmailContext, sendOrLog, sendOrWithdraw } from './email-context';
import { accountMailName } from './email-throttle';
import { type EmailTokenRecord, issueEmailToken, spendEmailToken, tokenFitsUser } from './email-tokens';
import { AuthError } from './errors';
import { canonicalEmail, EMAIL_RULE } from './identity';
import { addressChangedMail, addressChangeRequestedMail, verifyAddressMail } from './mail-templates';
import { type EmailRecord, emailKey, type UserRecord, userKey } from './records';

/**
 * Changing the address (SPEC §11): a link goes to the new address and the old one is told; the
 * account's address and its uniqueness claim change only when that link is used, in one
 * transaction.
 *
 * A taken address is answered at once with 409 email_taken. Registration already answers the same
 * question (409 for a taken address) to anyone, unauthenticated; here it takes a session, the
 * account's password and one of the account's hourly mails, so it tells no one anything they
 * could not learn more cheaply.
 */
export async function requestAddressChange(
  ctx: EmailContext,
  username: string,
  rawEmail: string,
  caller: EmailCaller,
  /** Checks the current password, counted like a failed login when wrong (wrong_password, rate_limited); resolves with the user it read. */
  confirmPassword: () => Promise<UserRecord>,
): Promise<{ email: string }> {
  await ctx.throttle.admitClient(caller.client);
  const user = await confirmPassword();
  const email = canonicalEmail(rawEmail);
  if (!email) throw new AuthError('invalid_field', EMAIL_RULE, 'email');
  if (user.email === email) throw new AuthError('invalid_field', 'email is already the address of this account', 'email');
  await ctx.throttle.admitName(accountMailName(username));
  const claim = await ctx.store.get<EmailRecord>(emailKey(email));
  if (claim && claim.data.username !== username) throw new AuthError('email_taken', undefined, 'email');

  const { token, item } = await issueEmailToken(ctx.store, ctx.clock, ctx.settings.tokenTtl, user, 'change', email);
  const old = user.email;
  await sendOrWithdraw(ctx, item, () =>
    Promise.all([
      ctx.mailer.send(verifyAddressMail(ctx.mail, { to: email, name: user.name, token, purpose: 'changed-address' })),
      old ? ctx.mailer.send(addressChangeRequestedMail(ctx.mail, { to: old, name: user.name, newAddress: email })) : undefined,
    ]),
  );
  return { email };
}

const invalid = () => new AuthError('invalid_email_token', undefined, 'token');

/**
 * The link of an address change was used: in one transaction the new address's claim is made,
 * the old one's removed, the user updated (on the version read) and the link spent. Then the old
 * address is told. A link asked for before the password last changed, or for another account of
 * the same name, is invalid; an address someone else took meanwhile is email_taken, and the link
 * stays live.
 */
export async function applyAddressChange(ctx: EmailContext, link: Item<EmailTokenRecord>, username: string, caller: EmailCaller): Promise<{ email: string }> {
  const { store } = ctx;
  const email = link.data.address;
  const readUser = async () => {
    const user = await store.get<UserRecord>(userKey(username));
    if (!user || !tokenFitsUser(link.data, user.data)) throw invalid();
    return user;
  };
  // The new address's claim is made (or kept, if already this account's) and the old one's let go.
  const writes = async (user: Item<UserRecord>): Promise<WriteOp[]> => {
    const old = user.data.email;
    const [claim, oldClaim] = await Promise.all([
      store.get<EmailRecord>(emailKey(email)),
      old && old !== email ? store.get<EmailRecord>(emailKey(old)) : undefined,
    ]);
    if (claim && claim.data.username !== username) throw new AuthError('email_taken');
    const ops: WriteOp[] = [{ type: 'update', key: userKey(username), changes: { set: { email, emailVerified: true } }, ifVersion: user.version }];
    if (!claim) ops.push({ type: 'create', item: { ...emailKey(email), data: { username } satisfies EmailRecord } });
    if (oldClaim?.data.username === username) ops.push({ type: 'delete', key: oldClaim, ifVersion: oldClaim.version });
    return ops;
  };
  const user = await spendEmailToken(store, link, readUser, writes, invalid);
  const old = user.data.email;
  if (old && old !== email) {
    await sendOrLog(ctx, addressChangedMail(ctx.mail, { to: old, name: user.data.name, newAddress: email }), 'address-changed', caller);
  }
  return { email };
}
