import type { AuthenticationResponseJSON, AuthenticatorTransport, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { CredentialDescriptor, Json, WebAuthn } from '../core/webauthn';

/** COSE algorithms offered and accepted: Ed25519, ES256 (P-256), RS256. */
const ALGORITHMS = [-8, -7, -257];

const bytes = (base64url: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(base64url, 'base64url'));
const descriptors = (list: readonly CredentialDescriptor[]) =>
  list.map(({ id, transports }) => ({ id, ...(transports?.length ? { transports: [...transports] as AuthenticatorTransport[] } : {}) }));
const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

// Loaded with the first ceremony, so a process (or a Lambda container) that sees none never
// evaluates the library and its certificate code.
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const load = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

/**
 * The WebAuthn port on @simplewebauthn/server. Creation asks for a discoverable credential with
 * user verification and no attestation (nothing here trusts an authenticator's maker, so none is
 * asked for; a statement sent anyway is still checked by the library). Every check requires user
 * verification, and any error the library raises over a bad response becomes a refusal with its
 * reason. The assertion check is given a stored counter of 0, which turns the library's own
 * counter rule off: the core compares the reported counter itself, after the signature holds, so
 * that only a genuinely signed assertion can be reported as a possible clone.
 */
export function simpleWebAuthn(): WebAuthn {
  return {
    async creationOptions(request) {
      const { generateRegistrationOptions } = await load();
      const options = await generateRegistrationOptions({
        rpName: request.rp.name,
        rpID: request.rp.id,
        userName: request.username,
        userID: bytes(request.userHandle),
        userDisplayName: request.displayName,
        challenge: bytes(request.challenge),
        timeout: request.timeoutMs,
        attestationType: 'none',
        excludeCredentials: descriptors(request.exclude),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
      return options as unknown as Json;
    },

    async requestOptions(request) {
      const { generateAuthenticationOptions } = await load();
      const options = await generateAuthenticationOptions({
        rpID: request.rp.id,
        challenge: bytes(request.challenge),
        allowCredentials: descriptors(request.allow),
        timeout: request.timeoutMs,
        userVerification: 'required',
      });
      return options as unknown as Json;
    },

    async verifyRegistration({ response, challenge, rp }) {
      const { verifyRegistrationResponse } = await load();
      try {
        const result = await verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: [...rp.origins],
          expectedRPID: rp.id,
          requireUserPresence: true,
          requireUserVerification: true,
          supportedAlgorithmIDs: ALGORITHMS,
        });
        if (!result.verified) return { ok: false, reason: 'the attestation does not verify' };
        const { credential, credentialDeviceType, credentialBackedUp, aaguid } = result.registrationInfo;
        return {
          ok: true,
          credential: {
            id: credential.id,
            publicKey: Buffer.from(credential.publicKey).toString('base64url'),
            counter: credential.counter,
            transports: credential.transports,
            deviceType: credentialDeviceType,
            backedUp: credentialBackedUp,
            aaguid,
          },
        };
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
    },

    async verifyAssertion({ response, challenge, rp, credential }) {
      const { verifyAuthenticationResponse } = await load();
      try {
        const result = await verifyAuthenticationResponse({
          response: response as AuthenticationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: [...rp.origins],
          expectedRPID: rp.id,
          credential: { id: credential.id, publicKey: bytes(credential.publicKey), counter: 0 },
          requireUserVerification: true,
        });
        if (!result.verified) return { ok: false, reason: 'the signature does not verify' };
        return { ok: true, counter: result.authenticationInfo.newCounter, backedUp: result.authenticationInfo.credentialBackedUp };
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
    },
  };
}
