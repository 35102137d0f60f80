import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMAIL_LIMIT_DEFAULTS } from '../../src/core/email-throttle';
import type { KeyVault } from '../../src/core/key-vault';
import { type Logger, silentLogger } from '../../src/core/logger';
import type { MailSender } from '../../src/core/mail';
import type { PasswordHasher } from '../../src/core/passwords';
import { signingKeys } from '../../src/core/signing-keys';
import { THROTTLE_DEFAULTS } from '../../src/core/throttle';
import { ARGON2_DEFAULTS, argon2Hasher } from '../../src/hashing/argon2-hasher';
import { commonPasswords } from '../../src/hashing/common-passwords';
import { createApp, type HttpSettings } from '../../src/http/app';
import type { BodyReader } from '../../src/http/body';
import type { AfterResponse, ClientAddress } from '../../src/http/context';
import { localKeyVault } from '../../src/keys/local-key-vault';
import { createMailSender } from '../../src/mail/mail-sender';
import type { Store } from '../../src/store/store';
import { simpleWebAuthn } from '../../src/webauthn/simple-webauthn';
import { type TestClock, testClock } from './clock';
import { checkConformance } from './conformance';

export const ISSUER = 'http://localhost:3000';

export const defaultSettings: HttpSettings = {
  issuer: ISSUER,
  audience: 'gatehouse',
  accessTokenTtl: 3600,
  sessionTtl: 30 * 86_400,
  corsOrigins: ['*'],
  refreshGraceSeconds: 10,
  throttle: THROTTLE_DEFAULTS,
  email: { appUrl: ISSUER, appName: 'Gatehouse', tokenTtl: 900, limits: EMAIL_LIMIT_DEFAULTS },
};

/** Each test app's default outbox is a folder under this one, removed when the test process exits. */
const OUTBOXES = join(tmpdir(), `gatehouse-test-mail-${process.pid}`);
process.once('exit', () => rmSync(OUTBOXES, { recursive: true, force: true }));

/** In-process requests have no socket: tests name their client in this header. */
export const CLIENT_HEADER = 'x-test-client';

/**
 * Argon2id as the service runs it. `npm run test:fast` sets GATEHOUSE_TEST_ARGON2=light: the same
 * engine at its cheapest parameters, so the quick tier stays quick; `npm test` runs every suite at
 * the real ones, and the tests about the parameters themselves (the stored hash, re-hashing,
 * timing) ask for them explicitly.
 */
export const LIGHT_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const hasher = argon2Hasher(process.env.GATEHOUSE_TEST_ARGON2 === 'light' ? LIGHT_ARGON2 : ARGON2_DEFAULTS);

/** A real local key-encryption key (AES-256-GCM), new for each test run. */
export const testKeyVault = localKeyVault({ key: crypto.getRandomValues(new Uint8Array(32)) });

export interface TestApp {
  readonly app: ReturnType<typeof createApp>;
  readonly store: Store;
  readonly clock: TestClock;
  /** The folder the app's default mail sender writes to (file: adapter); read it with readOutbox. */
  readonly outbox: string;
  /** JSON request; `body` objects are serialised, strings sent as they are. */
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  register(username: string, password?: string, extra?: Record<string, unknown>): Promise<Response>;
  login(username: string, password?: string): Promise<{ token: string; refreshToken: string; cookie: string; body: any }>;
}

export const PASSWORD = 'correct horse battery staple';

export async function makeTestApp(
  store: Store | ((now: () => number) => Promise<Store> | Store),
  options: {
    settings?: Partial<HttpSettings>;
    clock?: TestClock;
    logger?: Logger;
    hasher?: PasswordHasher;
    keyVault?: KeyVault;
    mailer?: MailSender;
    afterResponse?: AfterResponse;
    readBody?: BodyReader;
    /** The caller's address; by default the test header's, else 192.0.2.1. */
    clientAddress?: ClientAddress;
  } = {},
): Promise<TestApp> {
  const clock = options.clock ?? testClock();
  const outbox = join(OUTBOXES, randomUUID());
  const resolved = typeof store === 'function' ? await store(() => clock.now()) : store;
  const app = createApp({
    store: resolved,
    hasher: options.hasher ?? hasher,
    passwords: commonPasswords,
    clock,
    keys: signingKeys({ store: resolved, clock, vault: options.keyVault ?? testKeyVault }),
    keyVault: options.keyVault ?? testKeyVault,
    webauthn: simpleWebAuthn(),
    logger: options.logger ?? silentLogger,
    mailer: options.mailer ?? createMailSender({ kind: 'file', dir: outbox, from: 'Gatehouse <no-reply@localhost>' }, { clock }),
    ...(options.afterResponse ? { afterResponse: options.afterResponse } : {}),
    settings: { ...defaultSettings, ...options.settings },
    clientAddress: options.clientAddress ?? ((c) => c.req.header(CLIENT_HEADER) ?? '192.0.2.1'),
    ...(options.readBody ? { readBody: options.readBody } : {}),
  });
  const call: TestApp['call'] = (path, init = {}) => {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    return Promise.resolve(app.request(path, { method, body, headers: { 'content-type': 'application/json', ...init.headers } })).then(async (res) => {
      // Every answer the suites see must be one the OpenAPI description promises.
      await checkConformance(method, path, res);
      return res;
    });
  };
  return {
    app,
    store: resolved,
    clock,
    outbox,
    call,
    register: (username, password = PASSWORD, extra = {}) => call('/register', { body: { name: `Name of ${username}`, username, password, ...extra } }),
    async login(username, password = PASSWORD) {
      const res = await call('/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as any;
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      return { token: body.response.token, refreshToken: body.refreshToken, cookie, body };
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
