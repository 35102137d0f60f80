import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP endpoint that speaks the KMS JSON 1.1 protocol for `TrentService.GenerateDataKey`
 * and `TrentService.Decrypt`, so the real AWS SDK can be pointed at it. The cryptography is real:
 * each key has a 256-bit master key in memory; a CiphertextBlob is
 * `0x01 · length · key id · nonce (12) · AES-256-GCM(data key) · tag (16)`, with the canonical
 * encryption context as additional data, so another context, another key or a changed byte fails
 * the way KMS does (InvalidCiphertextException, IncorrectKeyException).
 *
 * Every request is recorded with its target, KeyId and EncryptionContext. `fail` makes the next
 * requests hang (no answer ever), answer 500 KMSInternalException, 400 ThrottlingException or
 * 400 AccessDeniedException.
 */
export type KmsFault = 'hang' | 'internal_error' | 'throttling' | 'access_denied';

export interface KmsCall {
  readonly target: string;
  readonly keyId: string | undefined;
  readonly encryptionContext: Record<string, string> | undefined;
  /** Whether the request carried a SigV4 signature. */
  readonly signed: boolean;
  /** 'ok', the error type answered, or 'hang'. */
  readonly answer: string;
}

export interface KmsKey {
  readonly keyId: string;
  readonly arn: string;
}

export interface KmsEndpoint {
  readonly url: string;
  readonly region: string;
  readonly calls: KmsCall[];
  /** Makes a key (with an alias such as `alias/gatehouse`, if given). */
  createKey(alias?: string): KmsKey;
  /** The next `times` requests (every request when omitted) meet `fault`; `null` heals. */
  fail(fault: KmsFault | null, times?: number): void;
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';
const ERROR_STATUS: Record<string, number> = { KMSInternalException: 500 };

class KmsFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const canonical = (context: Record<string, string> | undefined) =>
  JSON.stringify(Object.fromEntries(Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

export async function startKmsEndpoint({ region = 'us-east-1' } = {}): Promise<KmsEndpoint> {
  const masters = new Map<string, Buffer>();
  const aliases = new Map<string, string>();
  const calls: KmsCall[] = [];
  const sockets = new Set<Socket>();
  let fault: { kind: KmsFault; left: number } | null = null;

  const arnOf = (keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

  const resolve = (keyId: unknown): string | undefined => {
    if (typeof keyId !== 'string') return undefined;
    const name = keyId
      .replace(new RegExp(`^arn:aws:kms:${region}:${ACCOUNT}:(?=alias/)`), '')
      .replace(new RegExp(`^arn:aws:kms:${region}:${ACCOUNT}:key/`), '');
    const id = aliases.get(name) ?? name;
    return masters.has(id) ? id : undefined;
  };

  const seal = (keyId: string, plaintext: Buffer, context: Record<string, string> | undefined): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', masters.get(keyId)!, iv).setAAD(Buffer.from(canonical(context)));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const id = Buffer.from(keyId);
    return Buffer.concat([Buffer.from([1, id.length]), id, iv, body]);
  };

  const open = (blob: Buffer, context: Record<string, string> | undefined): { keyId: string; plaintext: Buffer } => {
    const invalid = new KmsFailure('InvalidCiphertextException', 'The ciphertext is invalid or was encrypted with another encryption context');
    if (blob.length < 2 || blob[0] !== 1) throw invalid;
    const idEnd = 2 + blob[1]!;
    const keyId = blob.subarray(2, idEnd).toString();
    const master = masters.get(keyId);
    if (!master || blob.length < idEnd + 12 + 16) throw invalid;
    const iv = blob.subarray(idEnd, idEnd + 12);
    const body = blob.subarray(idEnd + 12, blob.length - 16);
    try {
      const decipher = createDecipheriv('aes-256-gcm', master, iv).setAAD(Buffer.from(canonical(context)));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      return { keyId, plaintext: Buffer.concat([decipher.update(body), decipher.final()]) };
    } catch {
      throw invalid;
    }
  };

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(input) {
      const keyId = resolve(input.KeyId);
      if (!keyId) throw new KmsFailure('NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
      const bytes = input.KeySpec === 'AES_256' ? 32 : input.KeySpec === 'AES_128' ? 16 : Number(input.NumberOfBytes);
      if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) throw new KmsFailure('ValidationException', 'KeySpec or NumberOfBytes is required');
      const plaintext = randomBytes(bytes);
      const context = input.EncryptionContext as Record<string, string> | undefined;
      return { KeyId: arnOf(keyId), Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(keyId, plaintext, context).toString('base64') };
    },
    Decrypt(input) {
      if (typeof input.CiphertextBlob !== 'string') throw new KmsFailure('ValidationException', 'CiphertextBlob is required');
      const opened = open(Buffer.from(input.CiphertextBlob, 'base64'), input.EncryptionContext as Record<string, string> | undefined);
      if (input.KeyId !== undefined) {
        const wanted = resolve(input.KeyId);
        if (!wanted) throw new KmsFailure('NotFoundException', `Key '${String(input.KeyId)}' does not exist`);
        if (wanted !== opened.keyId)
          throw new KmsFailure('IncorrectKeyException', 'The key ID in the request does not identify the key that encrypted the ciphertext');
      }
      return { KeyId: arnOf(opened.keyId), Plaintext: opened.plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': `${errorType}:` } : {}),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    } catch {
      // Answered below as a serialization error.
    }
    const record = (outcome: string) =>
      calls.push({
        target: target.replace(/^TrentService\./, ''),
        keyId: typeof input.KeyId === 'string' ? input.KeyId : undefined,
        encryptionContext: input.EncryptionContext as Record<string, string> | undefined,
        signed: String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '),
        answer: outcome,
      });

    const active = fault;
    if (active && active.left > 0) {
      active.left -= 1;
      if (active.left === 0) fault = null;
      if (active.kind === 'hang') return void record('hang');
      const type = { internal_error: 'KMSInternalException', throttling: 'ThrottlingException', access_denied: 'AccessDeniedException' }[active.kind];
      record(type);
      return answer(res, ERROR_STATUS[type] ?? 400, { __type: type, message: `${type} (injected)` }, type);
    }

    const operation = req.method === 'POST' && target.startsWith('TrentService.') ? operations[target.slice('TrentService.'.length)] : undefined;
    try {
      if (!operation) throw new KmsFailure('UnknownOperationException', `Unknown operation ${target}`);
      const out = operation(input);
      record('ok');
      answer(res, 200, out);
    } catch (error) {
      const type = error instanceof KmsFailure ? error.type : 'KMSInternalException';
      record(type);
      answer(res, ERROR_STATUS[type] ?? 400, { __type: type, message: (error as Error).message }, type);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    calls,
    createKey(alias) {
      const keyId = randomUUID();
      masters.set(keyId, randomBytes(32));
      if (alias) aliases.set(alias, keyId);
      return { keyId, arn: arnOf(keyId) };
    },
    fail(kind, times = Number.POSITIVE_INFINITY) {
      fault = kind ? { kind, left: times } : null;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
