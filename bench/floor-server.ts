/**
 * The floors for `/verify` and `/login`: plain `node:http` doing only what no implementation can
 * skip, through the same store adapter (the same SQLite file and engine, or the same DynamoDB table).
 * - `/verify` reads the same JSON body, makes the same one session read and answers the same body
 *   with the same headers — the bench copies them from a real answer of Gatehouse (FLOOR_HEADERS)
 *   and checks that both servers answer alike before measuring. It checks no token: FLOOR_PK and
 *   FLOOR_SK name the session.
 * - `/login` reads the same JSON body, makes the one read of the user it names, verifies the
 *   password against its Argon2id hash with the same binding, and answers a real answer of
 *   Gatehouse's, body and headers (FLOOR_LOGIN): the same bytes to write. No throttle, no session,
 *   no signature.
 */
import { createServer } from 'node:http';
import { verify } from '@node-rs/argon2';
import { userKey } from '../src/core/records';
import { randomToken } from '../src/core/token-crypto';
import { createDynamoClients } from '../src/entry/dynamodb-client';
import { dynamoStore } from '../src/store/dynamodb';
import { sqliteStore } from '../src/store/sqlite';
import type { Store } from '../src/store/store';

const env = process.env;
const store: Store =
  env.AUTH_STORE === 'dynamodb'
    ? dynamoStore({ client: createDynamoClients(env).document, table: env.AUTH_TABLE! })
    : sqliteStore({ file: env.AUTH_SQLITE_FILE! });
const key = { pk: env.FLOOR_PK!, sk: env.FLOOR_SK! };
const headers = JSON.parse(env.FLOOR_HEADERS!) as Record<string, string>;
const login = JSON.parse(env.FLOOR_LOGIN!) as { headers: Record<string, string | string[]>; body: string };
// Request ids as Gatehouse makes them: a random prefix per process and a counter.
const idPrefix = randomToken(6);
let requests = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    (async () => {
      const requestId = `${idPrefix}${(++requests).toString(36)}`;
      if (req.url === '/login') {
        const { username, password } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username: string; password: string };
        const user = await store.get<{ passwordHash: string }>(userKey(username));
        const right = user !== undefined && (await verify(user.data.passwordHash, password));
        if (!right) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { ...login.headers, 'x-request-id': requestId, 'Content-Length': Buffer.byteLength(login.body) });
        res.end(login.body);
        return;
      }
      const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token: string };
      const session = await store.get<{ username: string; amr?: string[] }>(key);
      const body = JSON.stringify({ verified: true, message: 'success', username: session!.data.username, amr: session!.data.amr ?? ['pwd'], token });
      res.writeHead(200, { ...headers, 'x-request-id': requestId, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    })().catch(() => {
      // A store that did not answer (DynamoDB Local stalls now and then on a busy machine).
      if (!res.headersSent) res.writeHead(503).end();
    });
  });
});
server.listen(Number(env.PORT), '127.0.0.1', () => process.stdout.write(`Floor listening on http://127.0.0.1:${env.PORT}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => void store.close().then(() => process.exit(0))));
