// The page at /docs: renders /openapi.json with a script served from here (docs-script.ts), so it
// needs no CDN and works offline. Nothing from the document is ever parsed as HTML.

/** The icon, inline: the page asks nothing of the server but its own three files and the document. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f5bd3"/>' +
  '<path d="M8.5 26V14.5a7.5 7.5 0 0 1 15 0V26M16 16v10M8.5 19h15" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/></svg>';

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gatehouse API</title>
<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(ICON)}">
<link rel="stylesheet" href="/docs/docs.css">
<script type="module" src="/docs/docs.js"></script>
</head>
<body>
<main>
<h1 id="title">Gatehouse API</h1>
<div id="guide"></div>
<p>The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<section id="errors" aria-labelledby="errors-title"><h2 id="errors-title">Answers shared by operations</h2></section>
<div id="operations"></div>
<p id="copy-status" class="visually-hidden" role="status"></p>
</main>
</body>
</html>
`;

export const DOCS_CSS = `*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d2430;background:#f5f6f8}
main{max-width:60rem;margin:0 auto;padding:1rem}
h2{margin:1.6rem 0 .6rem;border-bottom:1px solid #dde1e8}
h3{margin:.8rem 0 .2rem;font-size:1rem}
h4{margin:.7rem 0 .2rem;font-size:.95rem}
p,li{overflow-wrap:anywhere}
code,pre,.path,.method{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
code{font-size:.9em;background:#eceff4;border-radius:4px;padding:0 .2em;overflow-wrap:anywhere}
pre{background:#f0f2f6;padding:.5rem .6rem;border-radius:6px;margin:.2rem 0;font-size:13px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
pre code{background:none;padding:0;font-size:inherit}
#guide section{background:#fff;border:1px solid #dde1e8;border-left:4px solid #2f5bd3;border-radius:8px;padding:.2rem 1rem .6rem;margin:1rem 0}
#guide section h2{border:0;margin-top:.6rem}
#guide ol,#guide ul{padding-left:1.4rem}
details.operation{background:#fff;border:1px solid #dde1e8;border-radius:8px;margin:.4rem 0;padding:.4rem .8rem}
details.operation[open]{padding-bottom:.7rem}
details.operation>summary{cursor:pointer;overflow-wrap:anywhere}
.method{display:inline-block;min-width:4.2rem;font-weight:700}
.GET{color:#1f6b3a}.POST{color:#2f5bd3}.DELETE{color:#a11b1b}
.lock{color:#5d6778;font-size:.85em}
.fields{list-style:none;margin:.1rem 0;padding-left:0}
.fields .fields{padding-left:1.2rem;border-left:2px solid #e4e7ee;margin-left:.2rem}
.fields li{margin:.05rem 0}
.type{color:#5d6778;font-size:.9em}
.optional{color:#8a6d00;font-size:.85em}
.answer{margin:.35rem 0}
.status{display:inline-block;min-width:2.6rem;font-weight:700;font-family:ui-monospace,monospace}
.answer details{display:inline-block;margin-left:.4rem;font-size:.9em;vertical-align:top}
.answer details[open]{display:block;margin:.2rem 0 .2rem 2.6rem}
.answer details summary{cursor:pointer;color:#2f5bd3}
.sample-head{display:flex;align-items:center;gap:.6rem;margin-top:.7rem}
.sample-head h4{margin:0}
button.copy{font:inherit;font-size:.85em;padding:.1rem .7rem;border:1px solid #2f5bd3;border-radius:6px;background:#fff;color:#2f5bd3;cursor:pointer}
button.copy:hover{background:#eef2fc}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){main{padding:.6rem}details.operation{padding:.4rem .5rem}.answer details[open]{margin-left:0}}
`;
