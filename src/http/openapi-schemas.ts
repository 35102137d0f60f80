import * as z from 'zod/mini';
import * as pres from './passkey-responses';
import { passkeyLoginBody, passkeyLoginOptionsBody, passkeyRegisterBody } from './passkey-schemas';
import * as res from './responses';
import {
  currentPasswordBody,
  emailChangeBody,
  emailTokenBody,
  forgotBody,
  loginBody,
  messageBody,
  mfaLoginBody,
  passwordBody,
  refreshBody,
  registerBody,
  resetBody,
  tokenBody,
  totpCodeBody,
} from './schemas';

type Schema = z.ZodMiniType;
type Json = Record<string, unknown>;

/**
 * The named schemas of the API description (`components/schemas`): every request and answer body,
 * and the parts they share (a user, a message, a session, the error body, the token pair).
 * Operations refer to them by `$ref`, and so do the schemas that contain them.
 */
const REQUESTS: Readonly<Record<string, Schema>> = {
  RegisterRequest: registerBody,
  LoginRequest: loginBody,
  TokenRequest: tokenBody,
  RefreshRequest: refreshBody,
  PasswordChange: passwordBody,
  CurrentPassword: currentPasswordBody,
  TotpCode: totpCodeBody,
  SecondStep: mfaLoginBody,
  NewMessage: messageBody,
  EmailLink: emailTokenBody,
  EmailChange: emailChangeBody,
  ForgotPassword: forgotBody,
  PasswordReset: resetBody,
  PasskeyRegistration: passkeyRegisterBody,
  PasskeyLoginOptionsRequest: passkeyLoginOptionsBody,
  PasskeyLogin: passkeyLoginBody,
};

const ANSWERS: Readonly<Record<string, Schema>> = {
  Error: res.errorResponse,
  User: res.publicUser,
  Registered: res.registered,
  TokenPair: res.tokenPair,
  LoggedIn: res.loggedIn,
  SecondFactorRequired: res.secondFactorRequired,
  LoginAnswer: res.loginAnswer,
  MfaStatus: res.mfaStatus,
  TotpSetup: res.totpSetup,
  RecoveryCodes: res.recoveryCodes,
  Refreshed: res.refreshed,
  AuthMethods: res.authMethods,
  Verified: res.verified,
  Done: res.done,
  Ended: res.ended,
  Profile: res.profile,
  SessionStatus: res.sessionStatus,
  Session: res.session,
  SessionList: res.sessionList,
  Message: res.message,
  MessageList: res.messageList,
  MessagePosted: res.messagePosted,
  Health: res.health,
  HealthDown: res.healthDown,
  Jwks: res.jwks,
  Discovery: res.discovery,
  EmailVerified: res.emailVerified,
  EmailSent: res.emailSent,
  ForgotAnswer: res.forgotAnswer,
  PasskeyCreationOptions: pres.creationOptions,
  PasskeyRequestOptions: pres.requestOptions,
  Passkey: pres.passkey,
  PasskeyList: pres.passkeyList,
};

/** Answers that carry the token pair's fields at their top level: described as TokenPair plus their own. */
const WITH_TOKEN_PAIR = ['LoggedIn', 'Refreshed'];

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const names = new Map<Schema, string>([...Object.entries(REQUESTS), ...Object.entries(ANSWERS)].map(([name, schema]) => [schema, name]));

/** The `$ref` of a named schema. */
export function refOf(schema: Schema): { $ref: string } {
  const name = names.get(schema);
  if (!name) throw new Error('A schema of an operation has no name in openapi-schemas.ts');
  return schemaRef(name);
}

function convert(schemas: Readonly<Record<string, Schema>>, io: 'input' | 'output'): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: (id) => schemaRef(id).$ref }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(converted).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

/**
 * `allOf` the base and the schema's own fields. The whole stays closed (`unevaluatedProperties`),
 * while the base alone leaves room for the fields it is combined with.
 */
function extend(schema: Json, baseName: string, base: Json): Json {
  const inherited = Object.keys(base.properties as Json);
  const properties = Object.fromEntries(Object.entries(schema.properties as Json).filter(([key]) => !inherited.includes(key)));
  const required = (schema.required as string[]).filter((key) => !inherited.includes(key));
  return { allOf: [schemaRef(baseName)], type: 'object', properties, required, unevaluatedProperties: false };
}

/** `components/schemas`: requests as the API accepts them, answers as it sends them. */
export function componentSchemas(): Record<string, Json> {
  const schemas = { ...convert(REQUESTS, 'input'), ...convert(ANSWERS, 'output') };
  const { additionalProperties: _open, ...pair } = schemas.TokenPair!;
  for (const name of WITH_TOKEN_PAIR) schemas[name] = extend(schemas[name]!, 'TokenPair', pair);
  return { ...schemas, TokenPair: pair };
}
