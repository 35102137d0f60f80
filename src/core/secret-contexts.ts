import type { KeyContext } from './key-vault';

/**
 * The encryption context of each kind of secret the store keeps sealed. It names the item, so a
 * sealed value copied onto another item does not open; `app` is what the KMS key policy (or the
 * stack's IAM condition) allows.
 */
export const SECRET_APP = 'gatehouse';

export const signingKeyContext = (kid: string): KeyContext => ({ app: SECRET_APP, purpose: 'signing-key', kid });
export const refreshKeyContext = (): KeyContext => ({ app: SECRET_APP, purpose: 'refresh-hmac' });
export const totpSecretContext = (username: string): KeyContext => ({ app: SECRET_APP, purpose: 'totp-secret', username });
