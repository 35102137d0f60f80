import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { ClientAddress } from '../http/context';

/** Only an IP address names a client: "unknown", "host:port", lists and names do not. */
const address = (candidate: string | undefined): string | undefined => (candidate && isIP(candidate) ? candidate : undefined);

/**
 * The caller's address on the Node server: the socket's peer, or — only when told the server sits
 * behind a proxy that sets it — the last address that proxy appended to X-Forwarded-For, if that
 * entry is an IP address (a proxy may append "unknown"; then the socket's peer counts).
 */
function nodeAddress(trustProxy: boolean, forwardedFor: string | undefined, peer: string | undefined): string | undefined {
  if (trustProxy) {
    const forwarded = forwardedFor
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const last = address(forwarded?.[forwarded.length - 1]);
    if (last) return last;
  }
  return peer;
}

/** The caller's address as the app reads it on the Node server (see nodeAddress). */
export function nodeClientAddress(trustProxy: boolean): ClientAddress {
  return (c) => nodeAddress(trustProxy, c.req.header('x-forwarded-for'), getConnInfo(c).remote.address);
}

/** The same address read from Node's own request, for the listener's quick paths. */
export function nodeRequestAddress(trustProxy: boolean): (req: IncomingMessage) => string | undefined {
  return (req) => {
    const forwarded = req.headers['x-forwarded-for'];
    return nodeAddress(trustProxy, Array.isArray(forwarded) ? forwarded.join(', ') : forwarded, req.socket.remoteAddress);
  };
}

type LambdaEnv = {
  event?: { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } };
  sourceIp?: string;
};

/**
 * On Lambda: the source address API Gateway or the function URL saw (never a client-set header),
 * when it is an IP address; otherwise the client is unknown.
 */
export const lambdaClientAddress: ClientAddress = (c) => {
  const env = c.env as LambdaEnv | undefined;
  const context = env?.event?.requestContext;
  return address(context?.http?.sourceIp) ?? address(context?.identity?.sourceIp) ?? address(env?.sourceIp);
};
