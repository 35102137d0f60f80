import type { OutgoingMail } from './mail';
import { type Draft, renderHtml, renderText } from './mail-layout';

/**
 * The messages of SPEC §11, built from plain data. Links carry their token in the URL fragment
 * (`#verify=…`, `#reset=…`), which browsers never send to a server, so a token never reaches a
 * server log or a Referer header.
 */

export interface MailContext {
  /** The name people know the service by, in subjects and signatures. */
  readonly appName: string;
  /** The web app that links point to (AUTH_APP_URL), without a query or fragment. */
  readonly appUrl: string;
  /** How long a verification or reset link lives (AUTH_EMAIL_TOKEN_TTL), in seconds. */
  readonly linkTtlSeconds: number;
}

export interface Recipient {
  readonly to: string;
  /** The account's display name, for the greeting. */
  readonly name?: string | undefined;
}

/** Automatic mail: out-of-office replies and the like should not answer it (RFC 3834). */
const HEADERS = { 'Auto-Submitted': 'auto-generated' } as const;

/** `appUrl/#key=token`; the token is base64url in practice, and encoded whatever it is. */
export function fragmentLink(appUrl: string, key: 'verify' | 'reset', token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/#${key}=${encodeURIComponent(token)}`;
}

const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** 900 → "15 minutes", 5400 → "1 hour 30 minutes"; rounded down, so a link never outlives its words. */
export function durationInWords(seconds: number): string {
  if (seconds < 60) return plural(Math.max(0, Math.floor(seconds)), 'second');
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return plural(minutes, 'minute');
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** `ada@example.com` → `a…@example.com`: enough to recognise, not enough to hand a new address to an old mailbox. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '…';
  return `${[...address.slice(0, at)][0]}…${address.slice(at)}`;
}

function mail(recipient: Recipient, draft: Draft): OutgoingMail {
  return { to: recipient.to, subject: draft.subject, text: renderText(draft), html: renderHtml(draft), headers: HEADERS };
}

const lifetime = (ctx: MailContext) => `The link works once, within ${durationInWords(ctx.linkTtlSeconds)}.`;

const VERIFY_OPENING = {
  'new-account': (appName: string) => `Welcome to ${appName}. To confirm that this is your email address, open this link:`,
  'current-address': (appName: string) => `To confirm that this is the email address of your ${appName} account, open this link:`,
  'changed-address': (appName: string) => `You asked to use this address for your ${appName} account. To confirm it, open this link:`,
} as const;

/**
 * The link that confirms an address: a new account's, the current one again (asked for when the
 * first link was lost or expired), or the new one of an address change.
 */
export function verifyAddressMail(
  ctx: MailContext,
  recipient: Recipient & { readonly token: string; readonly purpose: keyof typeof VERIFY_OPENING },
): OutgoingMail {
  const change = recipient.purpose === 'changed-address';
  return mail(recipient, {
    subject: change ? `Confirm your new email address for ${ctx.appName}` : `Confirm your email address for ${ctx.appName}`,
    name: recipient.name,
    before: [VERIFY_OPENING[recipient.purpose](ctx.appName)],
    action: { label: change ? 'Confirm new address' : 'Confirm email address', url: fragmentLink(ctx.appUrl, 'verify', recipient.token) },
    after: [
      `${lifetime(ctx)} After that you can ask for a new one once you are signed in.`,
      change
        ? 'If you did not ask for this, ignore this email: the account keeps its current address.'
        : recipient.purpose === 'current-address'
          ? 'If you did not ask for this, ignore this email: the address will not be confirmed.'
          : `If you did not sign up for ${ctx.appName}, ignore this email: the address will not be confirmed.`,
    ],
    signature: ctx.appName,
  });
}

/** The link that lets someone who forgot their password choose a new one. */
export function passwordResetMail(ctx: MailContext, recipient: Recipient & { readonly token: string; readonly username?: string | undefined }): OutgoingMail {
  return mail(recipient, {
    subject: `Reset your ${ctx.appName} password`,
    name: recipient.name,
    before: [
      `Someone asked to reset the password of your ${ctx.appName} account${recipient.username ? ` (username: ${recipient.username})` : ''}. To choose a new password, open this link:`,
    ],
    action: { label: 'Choose a new password', url: fragmentLink(ctx.appUrl, 'reset', recipient.token) },
    after: [
      `${lifetime(ctx)} Choosing a new password signs you out everywhere.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ],
    signature: ctx.appName,
  });
}

/** Told to the account's address after a password reset. */
export function passwordWasResetMail(ctx: MailContext, recipient: Recipient): OutgoingMail {
  return mail(recipient, {
    subject: `Your ${ctx.appName} password was reset`,
    name: recipient.name,
    before: [`The password of your ${ctx.appName} account was just reset, and every session was signed out.`],
    after: [['If this was not you, reset your password again at once at ', { url: ctx.appUrl }, ' and check the email address on your account.']],
    signature: ctx.appName,
  });
}

/** Told to the account's address after its password was changed by someone signed in. */
export function passwordChangedMail(ctx: MailContext, recipient: Recipient): OutgoingMail {
  return mail(recipient, {
    subject: `Your ${ctx.appName} password was changed`,
    name: recipient.name,
    before: [`The password of your ${ctx.appName} account was just changed, and every other session was signed out.`],
    after: [['If this was not you, reset your password at once at ', { url: ctx.appUrl }, ' (Forgot password?) and check the email address on your account.']],
    signature: ctx.appName,
  });
}

/** Told to the old address when a change to `newAddress` is asked for (before it happens). */
export function addressChangeRequestedMail(ctx: MailContext, recipient: Recipient & { readonly newAddress: string }): OutgoingMail {
  return mail(recipient, {
    subject: `Your ${ctx.appName} email address is being changed`,
    name: recipient.name,
    before: [
      `Someone signed in to your ${ctx.appName} account asked to change its email address to ${maskAddress(recipient.newAddress)}.`,
      'Nothing changes until the link sent to that address is opened.',
    ],
    after: [['If this was not you, sign in at ', { url: ctx.appUrl }, ' at once, change your password and sign out every other session.']],
    signature: ctx.appName,
  });
}

/** Told to the old address once the change to `newAddress` has happened. */
export function addressChangedMail(ctx: MailContext, recipient: Recipient & { readonly newAddress: string }): OutgoingMail {
  return mail(recipient, {
    subject: `Your ${ctx.appName} email address was changed`,
    name: recipient.name,
    before: [`The email address of your ${ctx.appName} account is now ${maskAddress(recipient.newAddress)}. Mail about the account goes there from now on.`],
    after: [
      [
        'If you did not make this change, someone else may have your account: sign in at ',
        { url: ctx.appUrl },
        ' if you still can, change your password and your email address back, and sign out every other session.',
      ],
    ],
    signature: ctx.appName,
  });
}
