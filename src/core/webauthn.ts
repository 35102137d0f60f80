/**
 * WebAuthn as a port: the options a browser hands to `navigator.credentials.create/get`, and the
 * check of what an authenticator answered (CBOR, COSE keys, attestation, signatures). The adapter
 * in src/webauthn/ does that work with @simplewebauthn/server; the core decides everything around
 * it — which challenge, whose credential, the counter, what is stored.
 *
 * Every JSON value here is the WebAuthn JSON form (binary fields as base64url). The checks never
 * throw for bad input: a response that is malformed, made for another origin or RP ID, answers
 * another challenge, lacks user verification or carries a bad signature is `{ ok: false, reason }`.
 */

export type Json = Record<string, unknown>;

/** Who the credentials are for: the RP ID (a domain) and the page origins that may use them. */
export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origins: readonly string[];
}

export interface CredentialDescriptor {
  /** The credential id, base64url. */
  readonly id: string;
  readonly transports?: readonly string[] | undefined;
}

export interface CreationRequest {
  readonly rp: RelyingParty;
  /** The WebAuthn user handle, base64url: random, never the username. */
  readonly userHandle: string;
  readonly username: string;
  readonly displayName: string;
  /** base64url of the challenge's bytes. */
  readonly challenge: string;
  /** The user's passkeys, so one authenticator is not registered twice. */
  readonly exclude: readonly CredentialDescriptor[];
  readonly timeoutMs: number;
}

export interface AssertionRequest {
  readonly rp: RelyingParty;
  readonly challenge: string;
  /** Empty: any discoverable credential for this RP ID. */
  readonly allow: readonly CredentialDescriptor[];
  readonly timeoutMs: number;
}

/** A credential an authenticator made, as checked and ready to keep. */
export interface NewCredential {
  readonly id: string;
  /** The COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports?: readonly string[] | undefined;
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly backedUp: boolean;
  readonly aaguid: string;
}

export type RegistrationCheck = { readonly ok: true; readonly credential: NewCredential } | { readonly ok: false; readonly reason: string };

/** A checked assertion: the signature counter the authenticator reported, for the caller to compare. */
export type AssertionCheck = { readonly ok: true; readonly counter: number; readonly backedUp: boolean } | { readonly ok: false; readonly reason: string };

export interface WebAuthn {
  /** Options for `navigator.credentials.create`: a discoverable credential, user verification required, no attestation asked. */
  creationOptions(request: CreationRequest): Promise<Json>;
  /** Options for `navigator.credentials.get`, user verification required. */
  requestOptions(request: AssertionRequest): Promise<Json>;
  /** Checks a registration response against the challenge, the origins and the RP ID, user verification required. */
  verifyRegistration(input: { readonly response: unknown; readonly challenge: string; readonly rp: RelyingParty }): Promise<RegistrationCheck>;
  /**
   * Checks an assertion's signature with the stored public key, against the challenge, the
   * origins and the RP ID, user verification required. The signature counter is reported, not
   * judged: the caller compares it with the one it stored.
   */
  verifyAssertion(input: {
    readonly response: unknown;
    readonly challenge: string;
    readonly rp: RelyingParty;
    readonly credential: { readonly id: string; readonly publicKey: string };
  }): Promise<AssertionCheck>;
}

export interface PasskeySettings {
  readonly rpId: string;
  readonly rpName: string;
  /** Origins (scheme://host[:port]) of the pages that run the ceremonies. */
  readonly origins: readonly string[];
  /** Passkeys one account may hold. */
  readonly maxPerUser: number;
}

export const MAX_PASSKEYS_PER_USER = 20;
/** How long a challenge stays usable, and how long a browser is told to wait for the person. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** The relying party the ceremonies are checked against. */
export const relyingParty = (passkeys: PasskeySettings): RelyingParty => ({ id: passkeys.rpId, name: passkeys.rpName, origins: passkeys.origins });

/** Passkeys for the pages of one URL: its host as the RP ID, its origin as the only origin. */
export function passkeysFor(appUrl: string, rpName = 'Gatehouse'): PasskeySettings {
  const url = new URL(appUrl);
  return { rpId: url.hostname, rpName, origins: [url.origin], maxPerUser: MAX_PASSKEYS_PER_USER };
}
