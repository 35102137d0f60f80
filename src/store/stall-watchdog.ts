import type { NodeHttpHandler } from '@smithy/node-http-handler';

type Handler = Pick<NodeHttpHandler, 'handle' | 'destroy' | 'updateHttpClientConfig' | 'httpHandlerConfigs' | 'metadata'>;
type HttpRequest = Parameters<NodeHttpHandler['handle']>[0];
type HttpHandlerOptions = NonNullable<Parameters<NodeHttpHandler['handle']>[1]>;
type Handled = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/**
 * Tells a slow store from a dead one by progress, not by one fixed timeout. An attempt is given
 * up once it has waited `patienceMs` while no answer at all has come from the store for
 * `silenceMs` (dead or hung: nothing answers), or after `limitMs` whatever else happens (this one
 * answer was lost). A store that keeps answering other requests is slow, not dead, and its
 * callers wait for it.
 *
 * An attempt given up on silence within the call's `budgetMs` of its first attempt is retried by
 * the SDK (a TimeoutError); past that the call fails at once (StoreStalledError), so a hung store
 * is answered 503 within the budget.
 */
export interface StallWatchdogOptions {
  readonly patienceMs: number;
  readonly silenceMs: number;
  readonly limitMs: number;
  readonly budgetMs: number;
}

export const STALL_DEFAULTS: StallWatchdogOptions = { patienceMs: 2_000, silenceMs: 1_500, limitMs: 5_000, budgetMs: 2_800 };

const TICK_MS = 100;
const INVOCATION_HEADER = 'amz-sdk-invocation-id';

class StoreTimeout extends Error {
  constructor(
    override readonly name: 'TimeoutError' | 'StoreStalledError',
    message: string,
  ) {
    super(message);
  }
}

export function stallWatchdog(inner: Handler, options: StallWatchdogOptions = STALL_DEFAULTS): Handler {
  let lastAnswerAt = 0;
  // When each call (all of its attempts share an invocation id) began.
  const calls = new Map<string, number>();

  const began = (request: HttpRequest, at: number): number => {
    const id = request.headers[INVOCATION_HEADER];
    if (!id) return at;
    const first = calls.get(id);
    if (first !== undefined) return first;
    if (calls.size > 10_000) {
      for (const [key, value] of calls) if (at - value > 60_000) calls.delete(key);
    }
    calls.set(id, at);
    return at;
  };

  return {
    metadata: inner.metadata,
    destroy: () => inner.destroy(),
    updateHttpClientConfig: (key, value) => inner.updateHttpClientConfig(key, value),
    httpHandlerConfigs: () => inner.httpHandlerConfigs(),

    handle(request: HttpRequest, handlerOptions: HttpHandlerOptions = {}): Promise<Handled> {
      const start = performance.now();
      const callStart = began(request, start);
      const controller = new AbortController();
      const outer = handlerOptions.abortSignal as AbortSignal | undefined;
      const forward = () => controller.abort();
      outer?.addEventListener?.('abort', forward);

      return new Promise((resolve, reject) => {
        let settled = false;
        const finish = () => {
          settled = true;
          clearInterval(timer);
          outer?.removeEventListener?.('abort', forward);
        };
        const timer = setInterval(() => {
          const now = performance.now();
          const waited = now - start;
          const silent = now - Math.max(lastAnswerAt, start) >= options.silenceMs;
          let error: StoreTimeout | undefined;
          if (waited >= options.patienceMs && silent) {
            const retry = now - callStart + options.patienceMs <= options.budgetMs;
            error = retry
              ? new StoreTimeout('TimeoutError', `no answer from the store for ${Math.round(waited)} ms`)
              : new StoreTimeout('StoreStalledError', `the store has answered nothing for ${Math.round(waited)} ms`);
          } else if (waited >= options.limitMs) {
            error = new StoreTimeout('TimeoutError', `no answer to this request for ${Math.round(waited)} ms`);
          }
          if (!error) return;
          finish();
          controller.abort();
          reject(error);
        }, TICK_MS);
        timer.unref?.();

        inner.handle(request, { ...handlerOptions, abortSignal: controller.signal }).then(
          (result) => {
            lastAnswerAt = performance.now();
            if (settled) return;
            finish();
            resolve(result);
          },
          (error: unknown) => {
            if (settled) return;
            finish();
            reject(error);
          },
        );
      });
    },
  };
}
