// Runs the built Lambda bundles in a plain Node process, as Lambda would: one JSON line in
// ({id, fn, event, context}) per invocation, one JSON line out ({id, result} or {id, error}).
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const [, , dist] = process.argv;
const started = performance.now();
const modules = {};
const load = async (fn) => (modules[fn] ??= await import(pathToFileURL(`${dist}/${fn}.mjs`).href));

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { id, fn, event, context } = JSON.parse(line);
  const before = performance.now();
  try {
    const { handler } = await load(fn);
    const result = await handler(event, { ...context, getRemainingTimeInMillis: () => 10_000 });
    process.stdout.write(JSON.stringify({ id, result, ms: performance.now() - before, sinceStart: performance.now() - started }) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ id, error: error instanceof Error ? error.message : String(error), ms: performance.now() - before }) + '\n');
  }
}
