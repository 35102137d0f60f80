/**
 * The floor for `/verify`: plain `node:http` doing only what no implementation can skip. It reads
 * the same JSON body, makes the same one session read through the same store adapter (the same
 * SQLite file and engine, or the same DynamoDB table), and answers the same body with the same
 * headers — the bench copies them from a real answer of Gatehouse (FLOOR_HEADERS) and checks that
 * both servers answer alike before measuring. It checks no token: FLOOR_PK/FLOOR_SK name the session.
 */
import { createServer } from 'node:http';
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
// Request ids as Gatehouse makes them: a random prefix per process and a counter.
const idPrefix = randomToken(6);
let requests = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const { token } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token: string };
      const session = await store.get<{ username: string; amr?: string[] }>(key);
      // How the session logged in, as the session item keeps it (and /verify answers it).
      const { username, amr = ['pwd'] } = session!.data;
      const body = JSON.stringify({ verified: true, message: 'success', username, amr, token });
      res.writeHead(200, { ...headers, 'x-request-id': `${idPrefix}${(++requests).toString(36)}`, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    })();
  });
});
server.listen(Number(env.PORT), '127.0.0.1', () => process.stdout.write(`Floor listening on http://127.0.0.1:${env.PORT}\n`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => void store.close().then(() => process.exit(0))));
