import * as z from 'zod/mini';
import { LOGIN_PASSWORD_MAX, PASSWORD_MAX } from '../core/passwords';

// Shapes and upper bounds only; the core applies the naming and password rules, so every entry
// point (HTTP, Lambda mapping templates, CLI) gets the same answers. zod/mini keeps the Lambda
// bundle small.
const text = (max: number, tooLong?: string) => z.string().check(z.minLength(1), z.maxLength(max, tooLong ? { error: tooLong } : undefined));
/** Optional strings: the tutorials' mapping templates send "" for a field the client left out. */
const optionalText = (max: number) =>
  z.pipe(
    z.optional(z.string().check(z.maxLength(max))),
    z.transform((value: string | undefined) => (value === '' ? undefined : value)),
  );

export const registerBody = z.object({
  name: text(400),
  username: text(256),
  // Counted in code points after NFKC by the core; this bound only caps the work one request asks for.
  password: text(LOGIN_PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`),
  email: optionalText(254),
});

export const loginBody = z.object({
  username: text(256),
  password: text(LOGIN_PASSWORD_MAX),
});

export const tokenBody = z.object({
  username: optionalText(256),
  token: optionalText(4096),
});

export const refreshBody = z.object({ refreshToken: z.string().check(z.minLength(1), z.maxLength(4096)) });

export const passwordBody = z.object({
  currentPassword: z.string().check(z.minLength(1), z.maxLength(LOGIN_PASSWORD_MAX)),
  newPassword: z.string().check(z.minLength(1), z.maxLength(LOGIN_PASSWORD_MAX, { error: `newPassword must be at most ${PASSWORD_MAX} characters` })),
});

export const messageBody = z.object({ text: z.string().check(z.minLength(1), z.maxLength(4000)) });

export const currentPasswordBody = z.object({ currentPassword: z.string().check(z.minLength(1), z.maxLength(LOGIN_PASSWORD_MAX)) });

export const totpCodeBody = z.object({ code: z.string().check(z.minLength(1), z.maxLength(32)) });

/** The second step of a login: the token of the first, and either a code from the app or a recovery code. */
export const mfaLoginBody = z
  .object({
    mfaToken: z.string().check(z.minLength(1), z.maxLength(256)),
    code: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
    recoveryCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  })
  .check(z.refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), { error: 'give either code or recoveryCode', path: ['code'] }));
// The email flows (SPEC §11). A link's token is about 130 characters; the bound only caps the work.
const linkToken = text(512);
const newPassword = z.string().check(z.minLength(1), z.maxLength(LOGIN_PASSWORD_MAX, { error: `newPassword must be at most ${PASSWORD_MAX} characters` }));

export const emailTokenBody = z.object({ token: linkToken });

export const emailChangeBody = z.object({
  email: text(254),
  currentPassword: z.string().check(z.minLength(1), z.maxLength(LOGIN_PASSWORD_MAX)),
});

/** One of the two: the core says which is missing, or that both were sent. */
export const forgotBody = z.object({ username: optionalText(256), email: optionalText(254) });

export const resetBody = z.object({ token: linkToken, newPassword });
