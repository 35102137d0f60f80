import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * A software authenticator for in-process tests: it makes ES256 (P-256) credentials with Web
 * Crypto and answers WebAuthn options the way a browser and a platform authenticator would —
 * `none` attestation, a discoverable credential, user presence and verification, a signature
 * counter — as the JSON a page sends. Every part a test may want wrong can be made wrong.
 */

const b64 = (bytes: Uint8Array | ArrayBuffer) => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('base64url');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64url'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const sha256 = async (data: Uint8Array | string) =>
  new Uint8Array(await webcrypto.subtle.digest('SHA-256', typeof data === 'string' ? new TextEncoder().encode(data) : data));

// The few CBOR forms WebAuthn needs: integers, byte and text strings, maps.
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function head(major: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((major << 5) | length);
  if (length < 256) return Uint8Array.of((major << 5) | 24, length);
  return Uint8Array.of((major << 5) | 25, length >> 8, length & 0xff);
}
function cbor(value: Cbor): Uint8Array {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = new TextEncoder().encode(value);
    return concat(head(3, text.length), text);
  }
  if (value instanceof Uint8Array) return concat(head(2, value.length), value);
  return concat(head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)]));
}

/** ECDSA's raw r‖s as the ASN.1 DER sequence WebAuthn carries. */
function der(raw: Uint8Array): Uint8Array {
  const integer = (part: Uint8Array) => {
    let bytes = part;
    while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.slice(1);
    if (bytes[0]! >= 0x80) bytes = concat(Uint8Array.of(0), bytes);
    return concat(Uint8Array.of(0x02, bytes.length), bytes);
  };
  const body = concat(integer(raw.slice(0, 32)), integer(raw.slice(32)));
  return concat(Uint8Array.of(0x30, body.length), body);
}

const FLAG = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 };

export interface SoftCredential {
  readonly id: string;
  readonly rpId: string;
  /** base64url, as the options gave it. */
  readonly userHandle: string;
  readonly keys: CryptoKeyPair;
  counter: number;
}

export interface Ceremony {
  /** The page's origin, as the browser puts it in clientDataJSON. */
  readonly origin?: string;
  /** The RP ID whose hash goes into the authenticator data (by default the options' own). */
  readonly rpId?: string;
  /** Answers this challenge instead of the options' one. */
  readonly challenge?: string;
  readonly type?: string;
  readonly userVerified?: boolean;
}

export class SoftAuthenticator {
  readonly credentials = new Map<string, SoftCredential>();

  constructor(readonly origin: string) {}

  /** Answers creation options with a new credential (or, with `reuse`, an existing one's key and id again). */
  async create(options: any, ceremony: Ceremony & { reuse?: SoftCredential; counter?: number } = {}) {
    const rpId = ceremony.rpId ?? options.rp.id;
    const credential: SoftCredential = ceremony.reuse ?? {
      id: b64(webcrypto.getRandomValues(new Uint8Array(32))),
      rpId,
      userHandle: options.user.id,
      keys: (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair,
      counter: ceremony.counter ?? 0,
    };
    const jwk = await webcrypto.subtle.exportKey('jwk', credential.keys.publicKey);
    const coseKey = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, fromB64(jwk.x!)],
        [-3, fromB64(jwk.y!)],
      ]),
    );
    const rawId = fromB64(credential.id);
    const attested = concat(new Uint8Array(16), Uint8Array.of(rawId.length >> 8, rawId.length & 0xff), rawId, coseKey);
    const authData = concat(await this.authData(rpId, credential.counter, ceremony.userVerified, FLAG.at), attested);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, ceremony);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.set(credential.id, credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      response: { clientDataJSON: b64(clientDataJSON), attestationObject: b64(attestationObject), transports: ['internal'] },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }

  /**
   * Answers request options with a credential: the one named, else the first the options allow,
   * else any of this authenticator's for the RP (a discoverable login). The counter goes up by
   * one unless `counter` sets what to report.
   */
  async get(options: any, ceremony: Ceremony & { credential?: SoftCredential; counter?: number; userHandle?: string | null } = {}) {
    const allowed = (options.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const credential =
      ceremony.credential ??
      [...this.credentials.values()].find((c) => (allowed.length ? allowed.includes(c.id) : c.rpId === options.rpId)) ??
      [...this.credentials.values()][0];
    if (!credential) throw new Error('the soft authenticator holds no credential');
    credential.counter = ceremony.counter ?? credential.counter + 1;
    const authData = await this.authData(ceremony.rpId ?? options.rpId, credential.counter, ceremony.userVerified, 0);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, ceremony);
    const signed = concat(authData, await sha256(clientDataJSON));
    const raw = new Uint8Array(await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, credential.keys.privateKey, signed));
    const userHandle = ceremony.userHandle === undefined ? credential.userHandle : ceremony.userHandle;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(der(raw)),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }

  private async authData(rpId: string, counter: number, userVerified = true, extra: number): Promise<Uint8Array> {
    const flags = FLAG.up | (userVerified ? FLAG.uv : 0) | extra;
    return concat(await sha256(rpId), Uint8Array.of(flags, counter >>> 24, (counter >> 16) & 0xff, (counter >> 8) & 0xff, counter & 0xff));
  }

  private clientData(type: string, challenge: string, ceremony: Ceremony): Uint8Array {
    const data = { type: ceremony.type ?? type, challenge: ceremony.challenge ?? challenge, origin: ceremony.origin ?? this.origin, crossOrigin: false };
    return new TextEncoder().encode(JSON.stringify(data));
  }
}
