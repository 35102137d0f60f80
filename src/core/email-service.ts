import { requestAddressChange } from './email-change';
import { type EmailCaller, type EmailDeps, emailContext } from './email-context';
import { notifyPasswordChanged } from './email-notices';
import { type AddressConfirmation, confirmAddress, registrationConfirmation, resendConfirmation } from './email-verification';
import { type ForgotInput, forgotPassword, resetPassword } from './password-reset';
import type { UserRecord } from './records';

export type { EmailCaller, EmailDeps, EmailSettings } from './email-context';

/** The email flows of SPEC §11, over one store, one mail sender and one set of limits. */
export interface EmailService {
  /** For registration: the new account's link, written with it, then mailed. */
  readonly registration: AddressConfirmation;
  /** POST /email/verify. */
  confirmAddress(token: string, caller: EmailCaller): Promise<{ email: string }>;
  /** POST /email/verify/resend. */
  resendConfirmation(username: string, caller: EmailCaller): Promise<{ email: string }>;
  /** POST /email; `confirmPassword` checks the current password, throttled like a login. */
  requestAddressChange(username: string, email: string, caller: EmailCaller, confirmPassword: () => Promise<UserRecord>): Promise<{ email: string }>;
  /** POST /password/forgot: the checks and counts of the request, and the work to run after the answer. */
  forgotPassword(input: ForgotInput, caller: EmailCaller): Promise<() => Promise<void>>;
  /** POST /password/reset: the number of sessions ended. */
  resetPassword(token: string, newPassword: string, caller: EmailCaller): Promise<number>;
  /** After POST /password: a word to the confirmed address. */
  notifyPasswordChanged(username: string, caller: EmailCaller): Promise<void>;
}

export function createEmailService(deps: EmailDeps): EmailService {
  const ctx = emailContext(deps);
  return {
    registration: registrationConfirmation(ctx),
    confirmAddress: (token, caller) => confirmAddress(ctx, token, caller),
    resendConfirmation: (username, caller) => resendConfirmation(ctx, username, caller),
    requestAddressChange: (username, email, caller, confirmPassword) => requestAddressChange(ctx, username, email, caller, confirmPassword),
    forgotPassword: (input, caller) => forgotPassword(ctx, input, caller),
    resetPassword: (token, newPassword, caller) => resetPassword(ctx, token, newPassword, caller),
    notifyPasswordChanged: (username, caller) => notifyPasswordChanged(ctx, username, caller),
  };
}
