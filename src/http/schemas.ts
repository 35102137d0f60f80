import { z } from 'zod';
import { LOGIN_PASSWORD_MAX, PASSWORD_MAX } from '../core/passwords';

// Shapes and upper bounds only; the core applies the naming and password rules, so every entry
// point (HTTP, Lambda mapping templates, CLI) gets the same answers.
const text = (max: number) => z.string().min(1).max(max);
/** Optional strings: the tutorials' mapping templates send "" for a field the client left out. */
const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((value) => (value === '' ? undefined : value));

export const registerBody = z.object({
  name: text(400),
  username: text(256),
  // Counted in code points after NFKC by the core; this bound only caps the work one request asks for.
  password: z.string().min(1).max(LOGIN_PASSWORD_MAX, { error: `password must be at most ${PASSWORD_MAX} characters` }),
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
