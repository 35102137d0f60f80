/**
 * Gatehouse on one store, with a user, a token and the `/verify` floor server beside it. Before
 * anything is measured, both answer one `/verify` and must answer alike: same status, same body,
 * same headers (the request id aside, which differs per request by design).
 */
import { join } from 'node:path';
import { type RunningServer, startServer } from '../test/helpers/server';
import { post } from './measure';

/** Headers every Node answer has, or whose value is per request: not part of the comparison. */
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive', 'x-request-id']);

export interface Subject {
  readonly store: 'sqlite' | 'dynamodb';
  readonly gatehouse: RunningServer;
  readonly floor: RunningServer;
  /** The body of every `/verify` and `/login` the bench sends. */
  readonly verifyBody: string;
  readonly loginBody: string;
}

type Headers = Record<string, string | string[] | undefined>;
const comparable = (headers: Headers) =>
  Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !PER_ANSWER.has(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const sizes = (headers: Headers) => Object.entries(comparable(headers)).map(([name, value]) => [name, String(value).length]);

/** An answer's headers to send again: without those Node writes itself or that differ per answer. */
const answerHeaders = (headers: Headers) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_ANSWER.has(name) && name !== 'content-length')) as Record<string, string | string[]>;

export async function startSubject(root: string, store: 'sqlite' | 'dynamodb', env: Record<string, string>, password: string): Promise<Subject> {
  // What npm start runs: the built server (npm run bench builds first).
  const gatehouse = await startServer(env, { script: join(root, 'dist', 'node', 'server.mjs') });
  try {
    const registered = await post(`${gatehouse.url}/register`, JSON.stringify({ name: 'Bench', username: 'bench', password }));
    if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${registered.body}`);
    const loginBody = JSON.stringify({ username: 'bench', password });
    const loggedIn = await post(`${gatehouse.url}/login`, loginBody);
    const token = (JSON.parse(loggedIn.body) as { response: { token: string } }).response.token;
    const { sub, sid } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string };
    const verifyBody = JSON.stringify({ token });

    const real = await post(`${gatehouse.url}/verify`, verifyBody);
    const headers = answerHeaders(real.headers) as Record<string, string>;
    const floor = await startServer(
      {
        ...env,
        FLOOR_PK: `USER#${sub}`,
        FLOOR_SK: `SESSION#${sid}`,
        FLOOR_HEADERS: JSON.stringify(headers),
        FLOOR_LOGIN: JSON.stringify({ headers: answerHeaders(loggedIn.headers), body: loggedIn.body }),
      },
      { script: join(root, 'bench', 'floor-server.ts') },
    );
    const floored = await post(`${floor.url}/verify`, verifyBody);
    const [real2, floored2] = [await post(`${gatehouse.url}/login`, loginBody), await post(`${floor.url}/login`, loginBody)];
    const sameLogin =
      real2.status === 200 &&
      floored2.status === 200 &&
      Buffer.byteLength(floored2.body) === Buffer.byteLength(real2.body) &&
      // Each login's tokens differ (in the body and the cookie): the same names and sizes, then.
      JSON.stringify(sizes(floored2.headers)) === JSON.stringify(sizes(real2.headers));
    const same =
      real.status === 200 &&
      floored.status === real.status &&
      floored.body === real.body &&
      JSON.stringify(comparable(floored.headers)) === JSON.stringify(comparable(real.headers)) &&
      Boolean(floored.headers['x-request-id']) &&
      Boolean(real.headers['x-request-id']);
    if (!same || !sameLogin) {
      await floor.stop();
      const [what, ours, its] = same ? ['/login', real2, floored2] : ['/verify', real, floored];
      throw new Error(`the floor does not answer ${what} as Gatehouse does:\n${JSON.stringify(ours)}\n${JSON.stringify(its)}`);
    }
    return { store, gatehouse, floor, verifyBody, loginBody };
  } catch (error) {
    await gatehouse.stop();
    throw error;
  }
}
