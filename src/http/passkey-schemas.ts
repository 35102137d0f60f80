import * as z from 'zod/mini';

// The request bodies of the passkey routes: WebAuthn's JSON form of a credential (what
// @simplewebauthn/browser and `PublicKeyCredential.toJSON()` give), shapes and bounds only. The
// WebAuthn port checks everything that is inside.

const base64url = (max: number) => z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]+={0,2}$/));
const optionalText = (max: number) =>
  z.pipe(
    z.optional(z.string().check(z.maxLength(max))),
    z.transform((value: string | undefined) => (value === '' ? undefined : value)),
  );
/** Credential ids are at most 1,023 bytes. */
const credentialId = base64url(1400);
/** What the browser says of the extensions; only credProps is asked for, and nothing here relies on it. */
const extensionResults = z.optional(z.object({ credProps: z.optional(z.object({ rk: z.optional(z.boolean()) })) }));
const attachment = z.optional(z.enum(['platform', 'cross-platform']));

export const registrationResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(12_000),
    transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(8))),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});

export const assertionResponse = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(2048),
    userHandle: z.optional(z.nullable(base64url(128))),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});

export const passkeyRegisterBody = z.object({ response: registrationResponse, name: optionalText(256) });
export const passkeyLoginOptionsBody = z.object({ username: optionalText(256) });
export const passkeyLoginBody = z.object({ response: assertionResponse });
