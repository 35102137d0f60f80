// The page at /docs: renders /openapi.json with a few lines of script served from here, so it needs
// no CDN and works offline. Everything is written with textContent; nothing from the document is
// ever parsed as HTML.

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API</title>
<link rel="stylesheet" href="/docs/docs.css">
<script type="module" src="/docs/docs.js"></script>
</head>
<body>
<main>
<h1 id="title">Gatehouse API</h1>
<p id="intro"></p>
<p>The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div id="operations"></div>
</main>
</body>
</html>
`;

export const DOCS_CSS = `body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2430;background:#f5f6f8}
main{max-width:60rem;margin:0 auto;padding:1rem}
h2{margin-top:2rem;border-bottom:1px solid #dde1e8}
details{background:#fff;border:1px solid #dde1e8;border-radius:8px;margin:.5rem 0;padding:.5rem .8rem}
summary{cursor:pointer}
.method{display:inline-block;min-width:4.5rem;font-weight:700;font-family:ui-monospace,monospace}
.GET{color:#1f6b3a}.POST{color:#2f5bd3}.DELETE{color:#a11b1b}
.path{font-family:ui-monospace,monospace}
.lock{color:#5d6778;font-size:.85em}
pre{background:#f0f2f6;padding:.6rem;border-radius:6px;overflow:auto;font-size:13px}
h4{margin:.8rem 0 .2rem}
`;

export const DOCS_JS = `const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
const pretty = (v) => JSON.stringify(v, null, 2);
const doc = await (await fetch('/openapi.json')).json();
document.getElementById('title').textContent = doc.info.title + ' API ' + doc.info.version;
document.getElementById('intro').textContent = doc.info.description;
const byTag = new Map();
for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
  const tag = op.tags[0]; if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push({ path, method: method.toUpperCase(), op });
}
const root = document.getElementById('operations');
for (const [tag, ops] of byTag) {
  root.append(el('h2', tag));
  for (const { path, method, op } of ops) {
    const d = el('details'); d.id = op.operationId;
    const s = el('summary'); s.append(el('span', method, 'method ' + method), el('span', path, 'path'), el('span', ' — ' + op.summary));
    const security = op.security || [];
    if (security.length) s.append(el('span', security.some((r) => !Object.keys(r).length) ? ' (token in the body, a bearer header or the cookie)' : ' (token required)', 'lock'));
    d.append(s);
    const body = op.requestBody && op.requestBody.content['application/json'];
    if (body) { d.append(el('h4', 'Request body'), el('pre', pretty(body.schema))); if (body.example) d.append(el('h4', 'Example'), el('pre', pretty(body.example))); }
    for (const [status, r] of Object.entries(op.responses)) {
      d.append(el('h4', status + ' — ' + r.description));
      const c = r.content['application/json'];
      d.append(el('pre', pretty(c.example !== undefined ? c.example : c.schema)));
    }
    root.append(d);
  }
}
document.body.dataset.ready = 'true';
`;
