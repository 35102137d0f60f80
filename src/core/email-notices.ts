import { type EmailCaller, type EmailContext, sendOrLog } from './email-context';
import { passwordChangedMail } from './mail-templates';
import { findUser } from './users';

/**
 * After `POST /password`: the account's confirmed address is told (an address never confirmed may
 * not be the account holder's). The change has happened; a mail that cannot be sent is logged and
 * changes nothing of the answer.
 */
export async function notifyPasswordChanged(ctx: EmailContext, username: string, caller: EmailCaller): Promise<void> {
  const user = await findUser(ctx.store, username);
  if (!user?.email || !user.emailVerified) return;
  await sendOrLog(ctx, passwordChangedMail(ctx.mail, { to: user.email, name: user.name }), 'password-changed', caller);
}
