import type { CDPSession, Page } from 'playwright-core';

/** A credential as Chromium's DevTools protocol gives it (WebAuthn.getCredentials) and takes it (WebAuthn.addCredential). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  /** PKCS#8, base64. */
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export interface VirtualAuthenticator {
  readonly session: CDPSession;
  readonly id: string;
  credentials(): Promise<VirtualCredential[]>;
  addCredential(credential: VirtualCredential): Promise<void>;
}

/**
 * A platform authenticator in the page's browser context, through the DevTools protocol: CTAP2,
 * internal transport, resident keys, user verification that always succeeds, and presence given
 * without a prompt — what a laptop's fingerprint reader is to a page.
 */
export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const session = await page.context().newCDPSession(page);
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    session,
    id: authenticatorId,
    credentials: async () => (await session.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    addCredential: async (credential) => void (await session.send('WebAuthn.addCredential', { authenticatorId, credential })),
  };
}

/** What the browser answers to creation options (JSON form), by the page's own WebAuthn API. */
export function browserCreate(page: Page, options: unknown): Promise<any> {
  return page.evaluate(async (json) => {
    const web = globalThis as any;
    const publicKey = web.PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return (await web.navigator.credentials.create({ publicKey })).toJSON();
  }, options);
}

/** What the browser answers to request options (JSON form). */
export function browserGet(page: Page, options: unknown): Promise<any> {
  return page.evaluate(async (json) => {
    const web = globalThis as any;
    const publicKey = web.PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return (await web.navigator.credentials.get({ publicKey })).toJSON();
  }, options);
}
