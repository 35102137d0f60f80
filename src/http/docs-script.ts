// The script of the page at /docs (docs-page.ts): it reads /openapi.json and renders it with
// textContent alone. Shapes are shown as field lists, every `$ref` resolved where it is shown; the
// answers all operations share are shown once; each operation has its curl command and a Copy button.
// Plain browser JavaScript in a string (String.raw: backslashes stay as written).

export const DOCS_JS = String.raw`const doc = await (await fetch('/openapi.json')).json();
const TICK = String.fromCharCode(96);

function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

/** Text with its inline code spans (between backticks) as <code>. */
function inline(text) {
  return String(text).split(TICK).map((part, i) => (i % 2 ? el('code', '', part) : document.createTextNode(part)));
}
const line = (tag, text, className) => el(tag, className, ...inline(text));

/** The Markdown subset of info.description: ## headings (each opens a section), lists, paragraphs. */
function prose(markdown) {
  const root = document.createDocumentFragment();
  let section = root;
  for (const block of markdown.split(/\n{2,}/)) {
    if (block.startsWith('## ')) {
      const title = block.slice(3);
      section = el('section');
      section.id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      section.append(el('h2', '', title));
      root.append(section);
      continue;
    }
    const lines = block.split('\n');
    const ordered = lines.every((l) => /^\d+\. /.test(l));
    if (ordered || lines.every((l) => l.startsWith('- '))) {
      section.append(el(ordered ? 'ol' : 'ul', '', ...lines.map((l) => line('li', l.replace(/^(\d+\.|-) /, '')))));
    } else section.append(line('p', block));
  }
  return root;
}

function resolve(node) {
  for (let i = 0; node && node.$ref && i < 10; i++) node = node.$ref.slice(2).split('/').reduce((at, key) => at && at[key], doc);
  return node || {};
}
const refName = (node) => (node && node.$ref ? node.$ref.split('/').pop() : '');

/** A schema's fields, the parts of an allOf included. */
function fieldsOf(schema) {
  const s = resolve(schema);
  const out = { properties: { ...s.properties }, required: [...(s.required || [])] };
  for (const part of s.allOf || []) {
    const inner = fieldsOf(part);
    Object.assign(out.properties, inner.properties);
    out.required.push(...inner.required);
  }
  return out;
}

const range = (min, max) => (min !== undefined && max !== undefined ? min + '–' + max : min !== undefined ? 'at least ' + min : 'at most ' + max);

function typeOf(schema) {
  const s = resolve(schema);
  if ('const' in s) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.type === 'array') return 'array of ' + (refName(s.items) || typeOf(s.items));
  if (s.anyOf || s.oneOf) return 'one of';
  const type = refName(schema) || s.type || 'any';
  return s.minLength !== undefined || s.maxLength !== undefined ? type + ', ' + range(s.minLength, s.maxLength) + ' characters' : type;
}

function hasFields(schema) {
  const s = resolve(schema);
  if (s.type === 'array') return hasFields(s.items);
  return Boolean(s.anyOf || s.oneOf || s.allOf || s.properties);
}

/** A schema as a (nested) list of its fields: name, type, limits, optional. */
function fieldList(schema, depth = 0) {
  const s = resolve(schema);
  if (s.type === 'array') return fieldList(s.items, depth);
  const list = el('ul', 'fields');
  const alternatives = s.anyOf || s.oneOf;
  if (alternatives) {
    alternatives.forEach((alt, i) => list.append(el('li', '', el('span', 'type', i ? 'or' : 'either'), fieldList(alt, depth + 1))));
    return list;
  }
  const { properties, required } = fieldsOf(s);
  for (const [name, field] of Object.entries(properties)) {
    const item = el('li', '', el('code', '', name), ' ', el('span', 'type', typeOf(field)));
    if (!required.includes(name)) item.append(' ', el('span', 'optional', 'optional'));
    if (depth < 4 && hasFields(field)) item.append(fieldList(field, depth + 1));
    list.append(item);
  }
  return list;
}

/** JSON, each value on one line when it fits (\`used\`: the columns its key already takes). */
function compact(value, indent = '', used = 0) {
  const flat = JSON.stringify(value);
  if (value === null || typeof value !== 'object' || indent.length + used + flat.length <= 80) return flat;
  const inner = indent + '  ';
  const items = Array.isArray(value)
    ? value.map((v) => inner + compact(v, inner))
    : Object.entries(value).map(([k, v]) => inner + JSON.stringify(k) + ': ' + compact(v, inner, JSON.stringify(k).length + 2));
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return open + '\n' + items.join(',\n') + '\n' + indent + close;
}

/** One answer: its status and description, its example, and its fields on demand. */
function answer(status, response) {
  const row = el('div', 'answer');
  const shared = refName(response);
  const r = resolve(response);
  row.append(el('span', 'status', status), ...inline(r.description));
  if (shared) {
    const link = el('a', '', 'see ' + shared);
    link.href = '#response-' + shared;
    row.append(' — ', link);
    return row;
  }
  const media = r.content && r.content['application/json'];
  if (!media) return row;
  const schema = el('details', '', el('summary', '', (refName(media.schema) || 'schema') + ' fields'), fieldList(media.schema));
  row.append(schema);
  if (media.example !== undefined) row.append(el('pre', '', compact(media.example)));
  return row;
}

async function copy(button, pre, label) {
  const status = document.getElementById('copy-status');
  try {
    await navigator.clipboard.writeText(pre.textContent);
    button.textContent = 'Copied';
    status.textContent = 'Copied the curl command for ' + label;
  } catch {
    // No clipboard (a page not served over HTTPS or from localhost): select it for Ctrl+C.
    getSelection().selectAllChildren(pre);
    button.textContent = 'Selected: press Ctrl+C';
    status.textContent = button.textContent;
  }
  setTimeout(() => (button.textContent = 'Copy'), 2500);
}

function curl(op, label) {
  const sample = (op['x-codeSamples'] || [])[0];
  if (!sample) return [];
  const pre = el('pre', 'curl', el('code', '', sample.source));
  const button = el('button', 'copy', 'Copy');
  button.type = 'button';
  button.setAttribute('aria-label', 'Copy the curl command for ' + label);
  button.addEventListener('click', () => void copy(button, pre, label));
  return [el('div', 'sample-head', el('h4', '', 'Example'), button), pre];
}

function lock(op) {
  const security = op.security || [];
  if (!security.length) return [];
  if (!security.some((r) => !Object.keys(r).length)) return [' ', el('span', 'lock', '(token required)')];
  const body = op.requestBody && op.requestBody.content['application/json'];
  const inBody = body && 'token' in fieldsOf(body.schema).properties;
  return [' ', el('span', 'lock', inBody ? '(token in the body, a bearer header or the cookie)' : '(token optional: a bearer header or the cookie)')];
}

function operation(path, method, op) {
  const label = method + ' ' + path;
  const details = el('details', 'operation');
  details.id = op.operationId;
  details.append(el('summary', '', el('span', 'method ' + method, method), el('span', 'path', path), ' — ', ...inline(op.summary), ...lock(op)));
  for (const p of op.parameters || []) details.append(el('p', '', 'Path parameter ', el('code', '', p.name), ' ', el('span', 'type', typeOf(p.schema))));
  const body = op.requestBody && op.requestBody.content['application/json'];
  if (body) details.append(el('h4', '', 'Request body ', el('span', 'type', refName(body.schema))), fieldList(body.schema));
  details.append(...curl(op, label), el('h4', '', 'Responses'));
  for (const [status, response] of Object.entries(op.responses)) details.append(answer(status, response));
  return details;
}

document.getElementById('title').textContent = doc.info.title + ' API ' + doc.info.version;
document.getElementById('guide').append(prose(doc.info.description));

// The shared answers, once; a schema they have in common is listed the first time only.
const errors = document.getElementById('errors');
const listed = new Set();
for (const [name, response] of Object.entries(doc.components.responses || {})) {
  const media = response.content['application/json'];
  const title = el('h3', '', name);
  title.id = 'response-' + name;
  errors.append(title, line('p', response.description));
  const schema = refName(media.schema);
  if (!listed.has(schema)) errors.append(el('p', '', 'Fields of ', el('code', '', schema), ':'), fieldList(media.schema));
  else errors.append(el('p', '', 'Fields: ', el('code', '', schema), ', as above.'));
  listed.add(schema);
  if (media.example !== undefined) errors.append(el('pre', '', compact(media.example)));
}

const byTag = new Map();
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    const tag = op.tags[0];
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push(operation(path, method.toUpperCase(), op));
  }
}
const root = document.getElementById('operations');
for (const [tag, items] of byTag) root.append(el('h2', '', tag), ...items);

const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
if (target) {
  if (target.tagName === 'DETAILS') target.open = true;
  target.scrollIntoView();
}
document.body.dataset.ready = 'true';
`;
