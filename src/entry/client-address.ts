import { getConnInfo } from '@hono/node-server/conninfo';
import type { ClientAddress } from '../http/app';

/**
 * The caller's address on the Node server: the socket's peer, or — only when told the server sits
 * behind a proxy that sets it — the last address that proxy appended to X-Forwarded-For.
 */
export function nodeClientAddress(trustProxy: boolean): ClientAddress {
  return (c) => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').map((part) => part.trim()).filter(Boolean);
      if (forwarded?.length) return forwarded[forwarded.length - 1];
    }
    return getConnInfo(c).remote.address;
  };
}

type LambdaEnv = {
  event?: { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } };
  sourceIp?: string;
};

/** On Lambda: the source address API Gateway or the function URL saw (never a client-set header). */
export const lambdaClientAddress: ClientAddress = (c) => {
  const env = c.env as LambdaEnv | undefined;
  const context = env?.event?.requestContext;
  return context?.http?.sourceIp ?? context?.identity?.sourceIp ?? env?.sourceIp;
};
