import { errorAnswer as error } from './openapi-answers';
import { EMAIL, PASSWORD, RESET_LINK_TOKEN, VERIFY_LINK_TOKEN } from './openapi-examples';
import type { Operation } from './openapi-operations';
import * as res from './responses';
import { FORGOT_ANSWER } from './responses';
import { emailChangeBody, emailTokenBody, forgotBody, resetBody } from './schemas';

/** The operations of the email flows (tag Email), with the shared error answers of openapi-answers.ts. */
export function emailOperations(): Operation[] {
  const mailDown = error(
    'The mail could not be sent; nothing was changed',
    'Mail cannot be sent right now; nothing was changed, try again later',
    'mail_unavailable',
  );
  const tooMany = error(
    'Too many mails for this account this hour, or too many requests from this client',
    'Too many attempts; try again in 600 seconds',
    'rate_limited',
  );
  return [
    {
      method: 'POST',
      path: '/email/verify',
      tag: 'Email',
      summary: "Confirm an address with the token of its link (`#verify=…`): the account's address, or the new one it asked for",
      body: { schema: emailTokenBody, example: { token: VERIFY_LINK_TOKEN } },
      responses: {
        200: {
          description: 'The address is confirmed (and is now the address of the account)',
          schema: res.emailVerified,
          example: { message: 'Email address verified', email: EMAIL },
        },
        400: error(
          'Unknown, expired, already used or altered; nothing changed',
          'This link is not valid: it has expired, was already used, or was changed on its way',
          'invalid_email_token',
        ),
        409: error('A new address that another account took meanwhile; the link stays valid', 'That email address belongs to another account', 'email_taken'),
      },
    },
    {
      method: 'POST',
      path: '/email/verify/resend',
      tag: 'Email',
      summary: "Send a new confirmation link to the caller's current address (the last one stops working)",
      auth: 'required',
      responses: {
        202: { description: 'On its way', schema: res.emailSent, example: { message: `A new confirmation link is on its way to ${EMAIL}`, email: EMAIL } },
        409: error('No address to confirm, or it is confirmed already', 'This email address is already verified', 'email_already_verified'),
        429: tooMany,
        503: mailDown,
      },
    },
    {
      method: 'POST',
      path: '/email',
      tag: 'Email',
      summary: 'Change (or add) the email address: a link goes to the new address, the old one is told; it changes when the link is used',
      auth: 'required',
      body: { schema: emailChangeBody, example: { email: 'arindam.halder@example.org', currentPassword: PASSWORD } },
      responses: {
        202: {
          description: 'A confirmation link is on its way to the new address',
          schema: res.emailSent,
          example: {
            message: 'A confirmation link is on its way to arindam.halder@example.org; the address changes once it is opened',
            email: 'arindam.halder@example.org',
          },
        },
        400: error('Not an address, or the current one; `field` names it', 'email must be a valid address', 'invalid_field'),
        403: error('The current password is wrong (counted like a failed login)', 'Current password is wrong', 'wrong_password'),
        409: error('The address belongs to another account (as registration would say)', 'That email address belongs to another account', 'email_taken'),
        429: tooMany,
        503: mailDown,
      },
    },
    {
      method: 'POST',
      path: '/password/forgot',
      tag: 'Email',
      summary: 'Ask for a password-reset link by username or by email: the same answer, headers and time whatever the account',
      body: { schema: forgotBody, example: { username: 'arindam369' } },
      responses: {
        202: {
          description: 'Always, for any well-formed name: a link goes out only to the verified address of an account',
          schema: res.forgotAnswer,
          example: { message: FORGOT_ANSWER },
        },
        400: error('Neither or both of username and email, or a malformed one; `field` names it', 'username or email is required', 'missing_field'),
        429: error(
          'Too many requests for this name this hour, or from this client (alike for every name)',
          'Too many attempts; try again in 3600 seconds',
          'rate_limited',
        ),
      },
    },
    {
      method: 'POST',
      path: '/password/reset',
      tag: 'Email',
      summary: 'Choose a new password with the token of a reset link (`#reset=…`): every session ends',
      body: { schema: resetBody, example: { token: RESET_LINK_TOKEN, newPassword: 'an even longer new passphrase' } },
      responses: {
        200: {
          description: 'Changed; `ended` sessions were ended',
          schema: res.ended,
          example: { message: 'Password reset; every session has been ended', ended: 2 },
        },
        400: error(
          'The link is unknown, expired, used or altered (`invalid_reset_token`), or the new password is too weak (`weak_password`)',
          'This reset link is not valid: it has expired, was already used, or was changed on its way',
          'invalid_reset_token',
        ),
      },
    },
  ];
}
