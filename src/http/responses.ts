import * as z from 'zod/mini';

// What each route answers: the OpenAPI description is generated from these, and the tests hold
// every response the suites see to them.

export const publicUser = z.object({ username: z.string(), name: z.string(), email: z.optional(z.string()) });

export const errorResponse = z.object({
  message: z.string(),
  code: z.string(),
  field: z.optional(z.string()),
  verified: z.optional(z.literal(false)),
});

export const registered = z.object({ message: z.literal('User registered successfully'), user: publicUser });

/** What /login and /token/refresh both answer besides their own fields. */
export const tokenPair = z.object({
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  refreshToken: z.string(),
});

export const loggedIn = z.extend(
  z.object({ message: z.literal('User logged in successfully'), response: z.object({ username: z.string(), name: z.string(), token: z.string() }) }),
  tokenPair.shape,
);

export const refreshed = z.extend(
  z.object({ message: z.literal('Token refreshed'), response: z.object({ username: z.string(), token: z.string() }) }),
  tokenPair.shape,
);

/** How the session was authenticated (RFC 8176): a password, a one-time code, a passkey. */
export const authMethods = z.array(z.enum(['pwd', 'otp', 'webauthn']));

/** `token` echoes a token sent in the body or as a bearer token, never the cookie's. */
export const verified = z.object({
  verified: z.literal(true),
  message: z.literal('success'),
  username: z.string(),
  amr: authMethods,
  token: z.optional(z.string()),
});

export const done = z.object({ message: z.string() });

export const ended = z.object({ message: z.string(), ended: z.number() });

/** Whether the second factor is on, and how many unused recovery codes are left. */
export const mfaStatus = z.object({ totp: z.boolean(), recoveryCodesLeft: z.number() });

export const profile = z.object({
  username: z.string(),
  name: z.string(),
  email: z.optional(z.string()),
  createdAt: z.string(),
  emailVerified: z.boolean(),
  amr: authMethods,
  mfa: mfaStatus,
});

/** A right password for a user with a second factor on: the next step, no token and no cookie yet. */
export const secondFactorRequired = z.object({
  message: z.literal('Second factor required'),
  mfaRequired: z.literal(true),
  mfaToken: z.string(),
  expiresIn: z.number(),
});

export const totpSetup = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

/** Who holds the request's session: nobody (no token, or one no longer valid), or its user. */
export const sessionStatus = z.union([z.object({ authenticated: z.literal(false) }), z.object({ authenticated: z.literal(true), user: profile })]);

export const session = z.object({ id: z.string(), createdAt: z.string(), lastUsedAt: z.string(), userAgent: z.optional(z.string()), current: z.boolean() });
export const sessionList = z.object({ sessions: z.array(session) });

export const message = z.object({ id: z.string(), author: z.string(), text: z.string(), createdAt: z.string() });
export const messageList = z.object({ messages: z.array(message) });
export const messagePosted = z.object({ message: z.literal('Message posted'), item: message });

export const health = z.object({ status: z.literal('ok') });
export const healthDown = z.object({ status: z.literal('unavailable'), message: z.string(), code: z.enum(['store_unavailable', 'store_misconfigured']) });

export const jwks = z.object({
  keys: z.array(z.object({ kty: z.literal('RSA'), kid: z.string(), alg: z.literal('RS256'), use: z.literal('sig'), n: z.string(), e: z.string() })),
});

export const discovery = z.object({ issuer: z.string(), jwks_uri: z.string(), id_token_signing_alg_values_supported: z.array(z.string()) });

/** What a right password gets: the tokens, or (with a second factor on) the next step. */
export const loginAnswer = z.union([loggedIn, secondFactorRequired]);
/** An address confirmed through its link. */
export const emailVerified = z.object({ message: z.literal('Email address verified'), email: z.string() });

/** A link is on its way to `email`. */
export const emailSent = z.object({ message: z.string(), email: z.string() });

/** The one answer of POST /password/forgot, whatever the account and whatever happens next. */
export const FORGOT_ANSWER = 'If the account exists and has a verified email, a reset link is on its way';

export const forgotAnswer = z.object({ message: z.literal(FORGOT_ANSWER) });
