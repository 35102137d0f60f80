import { errorAnswer as error } from './openapi-answers';
import { PAIR, TOKEN, USER } from './openapi-examples';
import type { Operation } from './openapi-operations';
import * as pres from './passkey-responses';
import { passkeyLoginBody, passkeyLoginOptionsBody, passkeyRegisterBody } from './passkey-schemas';
import * as res from './responses';

// The passkey operations of the API description (tag Passkeys), with their examples.

const CHALLENGE = 'pK0aV3mYd4oVQ0d7fJ2k9sL1xW8nR5tE6uI3oP2aS7g';
const CREDENTIAL_ID = 'lHcEl7J3HXVSZzy9jE0aH0xqXo1Tm0oFfX6d1dG3BcY';
/** The page's client data for the registration example (`webauthn.create`), and for the login one (`webauthn.get`). */
const CLIENT_DATA =
  'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoicEswYVYzbVlkNG9WUTBkN2ZKMms5c0wxeFc4blI1dEU2dUkzb1AyYVM3ZyIsIm9yaWdpbiI6Imh0dHBzOi8vYXBwLmV4YW1wbGUuY29tIn0';
const CLIENT_DATA_GET =
  'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoicEswYVYzbVlkNG9WUTBkN2ZKMms5c0wxeFc4blI1dEU2dUkzb1AyYVM3ZyIsIm9yaWdpbiI6Imh0dHBzOi8vYXBwLmV4YW1wbGUuY29tIn0';
const DESCRIPTOR = { id: CREDENTIAL_ID, type: 'public-key', transports: ['internal', 'hybrid'] };
const PASSKEY = { id: CREDENTIAL_ID, name: 'Laptop', createdAt: '2026-11-21T09:50:02.114Z', lastUsedAt: '2026-11-22T08:12:40.930Z', synced: true };

export const PASSKEY_OPERATIONS: readonly Operation[] = [
  {
    method: 'POST',
    path: '/passkeys/register/options',
    tag: 'Passkeys',
    summary: 'Begin adding a passkey: creation options for navigator.credentials.create (a challenge valid 5 minutes, for this session)',
    auth: 'required',
    responses: {
      200: {
        description:
          'Options in WebAuthn JSON form: pass them to `PublicKeyCredential.parseCreationOptionsFromJSON` or `startRegistration` of @simplewebauthn/browser',
        schema: pres.creationOptions,
        example: {
          challenge: CHALLENGE,
          rp: { name: 'Gatehouse', id: 'app.example.com' },
          user: { id: 'u5b7Rk2kVb0hS8xJmQ1cYw3dE9fG6hJ4kL2mN8pQ0rT', name: USER.username, displayName: USER.name },
          pubKeyCredParams: [-8, -7, -257].map((alg) => ({ alg, type: 'public-key' })),
          timeout: 300_000,
          attestation: 'none',
          excludeCredentials: [DESCRIPTOR],
          authenticatorSelection: { residentKey: 'required', userVerification: 'required', requireResidentKey: true },
          extensions: { credProps: true },
          hints: [],
        },
      },
      403: error(
        'The session’s login is more than 10 minutes old: log in again (by password, second factor or passkey), then add the passkey',
        'Log in again to add a passkey: it needs a login from the last 10 minutes',
        'login_too_old',
      ),
      409: error('The account holds as many passkeys as it may (20)', 'This account has as many passkeys as it may hold; remove one first', 'passkey_limit'),
    },
  },
  {
    method: 'POST',
    path: '/passkeys/register',
    tag: 'Passkeys',
    summary: 'Finish adding a passkey: the authenticator’s answer to the options, and a name for it',
    auth: 'required',
    body: {
      schema: passkeyRegisterBody,
      example: {
        name: 'Laptop',
        response: {
          id: CREDENTIAL_ID,
          rawId: CREDENTIAL_ID,
          type: 'public-key',
          response: {
            clientDataJSON: CLIENT_DATA,
            attestationObject: 'o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjFSZYN5YgOjGh0NBcPZHZgW4',
            transports: ['internal', 'hybrid'],
          },
          authenticatorAttachment: 'platform',
          clientExtensionResults: { credProps: { rk: true } },
        },
      },
    },
    responses: {
      201: { description: 'Added', schema: pres.passkey, example: { ...PASSKEY, lastUsedAt: undefined } },
      400: error(
        'Not a valid answer: wrong origin or RP ID, a challenge unknown, expired or already used, no user verification (or a malformed body: `invalid_field`)',
        'The passkey could not be verified; start again',
        'passkey_not_verified',
      ),
      409: error(
        'That authenticator is registered already (`passkey_exists`), or the account is full (`passkey_limit`)',
        'That passkey is already registered',
        'passkey_exists',
      ),
    },
  },
  {
    method: 'GET',
    path: '/passkeys',
    tag: 'Passkeys',
    summary: "The caller's passkeys, oldest first",
    auth: 'required',
    responses: { 200: { description: 'Passkeys', schema: pres.passkeyList, example: { passkeys: [PASSKEY] } } },
  },
  {
    method: 'DELETE',
    path: '/passkeys/:id',
    tag: 'Passkeys',
    summary: "Remove one of the caller's passkeys (by its credential id); it can no longer log in",
    auth: 'required',
    params: { id: CREDENTIAL_ID },
    responses: {
      200: { description: 'Removed', schema: res.done, example: { message: 'Passkey removed' } },
      404: error('No such passkey of the caller', 'Passkey not found', 'not_found'),
    },
  },
  {
    method: 'POST',
    path: '/passkeys/login/options',
    tag: 'Passkeys',
    summary: 'Begin a passkey login: request options for navigator.credentials.get (send `{}` to let the person pick any of their passkeys)',
    body: { schema: passkeyLoginOptionsBody, example: { username: USER.username } },
    responses: {
      200: {
        description:
          "Options in WebAuthn JSON form. With a username, that account's passkeys are allowed and only they can answer; without one, `allowCredentials` is empty and any discoverable passkey may",
        schema: pres.requestOptions,
        example: { rpId: 'app.example.com', challenge: CHALLENGE, allowCredentials: [DESCRIPTOR], timeout: 300_000, userVerification: 'required' },
      },
      429: error('Too many login attempts from this client', 'Too many attempts; try again in 600 seconds', 'rate_limited'),
    },
  },
  {
    method: 'POST',
    path: '/passkeys/login',
    tag: 'Passkeys',
    summary: 'Log in with a passkey: the same answer as POST /login (and the cookie), with `amr: ["webauthn"]`; no second factor asked',
    body: {
      schema: passkeyLoginBody,
      example: {
        response: {
          id: CREDENTIAL_ID,
          rawId: CREDENTIAL_ID,
          type: 'public-key',
          response: {
            clientDataJSON: CLIENT_DATA_GET,
            authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAABQ',
            signature: 'MEUCIQCv7EqsBRtf2E4o_BjzZfBwNpP8fLjd5y6TUOLWt5l9DQIgTg',
            userHandle: 'u5b7Rk2kVb0hS8xJmQ1cYw3dE9fG6hJ4kL2mN8pQ0rT',
          },
          authenticatorAttachment: 'platform',
          clientExtensionResults: {},
        },
      },
    },
    responses: {
      200: {
        description: 'Logged in',
        schema: res.loggedIn,
        example: { message: 'User logged in successfully', response: { ...USER, token: TOKEN }, ...PAIR },
      },
      401: error(
        'Not accepted: unknown passkey, one of another user than the username given, a bad signature, origin or RP ID, a challenge expired or used, or a signature counter that went backwards',
        'That passkey was not accepted',
        'invalid_passkey',
      ),
    },
  },
];
