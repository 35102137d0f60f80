import type { LoginResult, SecondStep } from '../core/auth-service';

/** The body of a completed login's answer, by password, second factor or passkey. */
export const loginAnswer = (result: LoginResult) => ({
  message: 'User logged in successfully' as const,
  response: { username: result.user.username, name: result.user.name, token: result.token },
  tokenType: 'Bearer' as const,
  expiresIn: result.expiresIn,
  refreshToken: result.refreshToken,
});

/** The body of a password login's answer when a second factor is on: no token until the second step. */
export const secondStepAnswer = (result: SecondStep) => ({
  message: 'Second factor required' as const,
  mfaRequired: true as const,
  mfaToken: result.mfaToken,
  expiresIn: result.expiresIn,
});
