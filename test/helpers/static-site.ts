import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { freePort, ROOT } from './server';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The web app as a static host (S3/CloudFront) would serve it: its files plus a config.json naming the API. */
export async function startStaticSite(apiUrl: string, chosenPort?: number): Promise<{ url: string; close(): Promise<void> }> {
  const port = chosenPort ?? (await freePort());
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ apiUrl }));
      return;
    }
    const file = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[\w.-]+$/.test(file)) return void res.writeHead(404).end();
    try {
      const body = readFileSync(join(ROOT, 'dist', 'web', file));
      const type = TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
      res
        .writeHead(200, {
          'content-type': type,
          // As CloudFront's response headers policy has it (infra/constructs/gatehouse-web.ts).
          'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${apiUrl}`,
        })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
