import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and a free port that keeps every message it is
 * given, parsed by mailparser. TLS only with `tls` (STARTTLS, or implicit TLS), on a self-signed
 * certificate for 127.0.0.1 made with openssl whose PEM is `cert`; AUTH only with `auth`.
 */

export interface SinkMessage {
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** The connection had been upgraded with STARTTLS when the message came. */
  readonly secure: boolean;
  /** The authenticated user, if any. */
  readonly user: string | undefined;
  readonly raw: Buffer;
  readonly parsed: ParsedMail;
}

export interface AuthAttempt {
  readonly user: string;
  readonly accepted: boolean;
  readonly secure: boolean;
}

export interface SmtpSinkOptions {
  /** Offer STARTTLS; or, with 'implicit', speak TLS from the first byte (smtps://). */
  readonly tls?: boolean | 'implicit';
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Accept AUTH on a plain connection (to prove the client refuses to send it). */
  readonly allowInsecureAuth?: boolean;
}

export interface SmtpSink {
  readonly port: number;
  /** `smtp://127.0.0.1:PORT` (`smtps://` with implicit TLS), without credentials. */
  readonly url: string;
  /** The certificate (PEM) behind STARTTLS, when `tls` is on. */
  readonly cert: string | undefined;
  readonly messages: readonly SinkMessage[];
  readonly authAttempts: readonly AuthAttempt[];
  /** The first message (already here or still to come) that `predicate` accepts. */
  waitFor(predicate?: (message: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  stop(): Promise<void>;
}

let certificate: { key: string; cert: string } | undefined;

/** A throw-away self-signed certificate for 127.0.0.1 and localhost, made once per test process. */
export function selfSignedCertificate(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'smtp-sink-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'pipe' },
    );
    certificate = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const address = (value: SMTPServerAddress | false) => (value ? value.address : '');

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const authAttempts: AuthAttempt[] = [];
  const waiters = new Set<(message: SinkMessage) => void>();
  const tls = options.tls ? selfSignedCertificate() : undefined;

  const server = new SMTPServer({
    secure: options.tls === 'implicit',
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    disabledCommands: [...(tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    closeTimeout: 1_000,
    logger: false,
    onAuth(auth, session, callback) {
      const accepted = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      authAttempts.push({ user: auth.username ?? '', accepted, secure: session.secure });
      if (accepted) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const message: SinkMessage = {
              envelope: { from: address(session.envelope.mailFrom), to: session.envelope.rcptTo.map((rcpt) => rcpt.address) },
              secure: session.secure,
              user: session.user as string | undefined,
              raw,
              parsed,
            };
            messages.push(message);
            for (const waiter of waiters) waiter(message);
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    url: `${options.tls === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    cert: tls?.cert,
    messages,
    authAttempts,
    waitFor(predicate = () => true, timeoutMs = 5_000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (message: SinkMessage) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`smtp-sink: no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
