import { type Caller, type LoginResult, loginResult } from './auth-service';
import { loginOptions, type PasskeyLoginDeps, passkeyLogin } from './passkey-login';
import { listPasskeyViews, type PasskeyView, registerPasskey, registrationOptions, removePasskey } from './passkey-registration';
import { createThrottle, type ThrottleSettings } from './throttle';
import type { Authenticated } from './token-verifier';
import type { Json } from './webauthn';

export type { PasskeyView };

export type PasskeyServiceDeps = PasskeyLoginDeps & { readonly settings: { readonly throttle: ThrottleSettings } };

/** Passkeys (SPEC §13): adding, listing and removing the caller's own, and logging in with one. */
export interface PasskeyService {
  registrationOptions(user: Authenticated): Promise<Json>;
  register(user: Authenticated, response: unknown, name?: string): Promise<PasskeyView>;
  list(user: Authenticated): Promise<PasskeyView[]>;
  /** False when the caller has no passkey of that id. */
  remove(user: Authenticated, id: string): Promise<boolean>;
  /** Counted against the client's login attempts: each one stores a challenge. */
  loginOptions(username: string | undefined, caller: Caller): Promise<Json>;
  login(response: unknown, caller: Caller): Promise<LoginResult>;
}

export function createPasskeyService(deps: PasskeyServiceDeps): PasskeyService {
  const throttle = createThrottle(deps.store, deps.clock, deps.settings.throttle);
  return {
    registrationOptions: (user) => registrationOptions(deps, user),
    register: (user, response, name) => registerPasskey(deps, user, response, name),
    list: (user) => listPasskeyViews(deps.store, user),
    remove: (user, id) => removePasskey(deps.store, user, id),
    async loginOptions(username, caller) {
      await throttle.admit('login', caller.client);
      return loginOptions(deps, username);
    },
    async login(response, caller) {
      const { user, opened } = await passkeyLogin(deps, response, caller);
      return loginResult(user, opened);
    },
  };
}
