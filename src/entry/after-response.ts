import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/logger';
import type { AfterResponse } from '../http/context';

/** How long after the answer has been handed to the network the work starts. */
export const AFTER_RESPONSE_DELAY_MS = 20;

/**
 * On the Node server: the work starts once the response has been handed to the network (or the
 * connection has gone), and a moment later, so nothing it does can change the answer or how long
 * it took — not even by taking the processor from whatever relays the answer on the same machine
 * (a reverse proxy, or a client), which a burst of work right then would slow.
 */
export const afterNodeResponse: AfterResponse = async (c, work) => {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  const run = () => void setTimeout(() => void work(), AFTER_RESPONSE_DELAY_MS);
  if (outgoing && !outgoing.writableFinished) outgoing.once('close', run);
  else run();
};

/**
 * On Lambda nothing runs once the handler has answered: the container is frozen, and work left
 * running may finish in a later invocation or never. So the work runs first, and the answer goes
 * exactly `ms` after it started, whether the work took 5 ms (nothing to send) or 300 ms (a mail
 * through SES): the answer's time is the fixed wait, not the work. Work still running at that
 * point is logged, and may be lost with the freeze.
 */
export function answerAtFixedTime(ms: number, logger: Logger): AfterResponse {
  return async (c, work) => {
    let finished = false;
    void work().finally(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (!finished) logger.warn('work for this request still running when it was answered', { requestId: c.get('requestId'), waitedMs: ms });
  };
}
