import * as z from 'zod/mini';

// What the passkey routes answer: the options for the browser's WebAuthn calls (JSON form,
// binary values as base64url), and the caller's passkeys.

const descriptor = z.object({ id: z.string(), type: z.literal('public-key'), transports: z.optional(z.array(z.string())) });

export const creationOptions = z.object({
  challenge: z.string(),
  rp: z.object({ name: z.string(), id: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ alg: z.number(), type: z.literal('public-key') })),
  timeout: z.number(),
  attestation: z.string(),
  excludeCredentials: z.array(descriptor),
  authenticatorSelection: z.object({
    residentKey: z.optional(z.string()),
    requireResidentKey: z.optional(z.boolean()),
    userVerification: z.optional(z.string()),
    authenticatorAttachment: z.optional(z.string()),
  }),
  extensions: z.optional(z.record(z.string(), z.unknown())),
  hints: z.optional(z.array(z.string())),
});

export const requestOptions = z.object({
  rpId: z.string(),
  challenge: z.string(),
  allowCredentials: z.optional(z.array(descriptor)),
  timeout: z.optional(z.number()),
  userVerification: z.optional(z.string()),
  extensions: z.optional(z.record(z.string(), z.unknown())),
});

/** A passkey as its owner sees it; `synced`: the authenticator says it is backed up to other devices. */
export const passkey = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.optional(z.string()), synced: z.boolean() });
export const passkeyList = z.object({ passkeys: z.array(passkey) });
