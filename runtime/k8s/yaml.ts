/**
 * A small YAML emitter for plain JSON-like values (objects, arrays, strings, finite numbers,
 * booleans, null), enough for Kubernetes manifests. Readable and unambiguous for YAML 1.1 and 1.2
 * parsers alike (kubectl's is YAML 1.1-flavoured):
 *  - strings are plain only when they cannot be read as anything else: a conservative character
 *    set, not starting with a digit, sign or indicator, and not one of YAML 1.1's booleans or null
 *    (yes/no/on/off/y/n/true/false/null/~); everything else is double-quoted with escapes;
 *  - multi-line strings are literal blocks (`|`, `|-` or `|+` by their trailing newlines), unless
 *    they start with a space or newline or hold characters a block cannot carry (then quoted).
 */

const PLAIN_RE = /^[A-Za-z_/][A-Za-z0-9_./@+=:-]*$/;
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);
/** Characters YAML wants escaped in a double-quoted scalar beyond what JSON.stringify escapes. */
const NON_PRINTABLE_RE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const BLOCK_UNSAFE_RE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function quoteString(s: string): string {
  return JSON.stringify(s).replace(NON_PRINTABLE_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isPlainSafe(s: string): boolean {
  return PLAIN_RE.test(s) && !s.endsWith(':') && !RESERVED.has(s.toLowerCase());
}

/** A string as a one-line scalar: plain when safe, else double-quoted. */
export function scalarString(s: string): string {
  return isPlainSafe(s) ? s : quoteString(s);
}

function canBlock(s: string): boolean {
  return s.includes('\n') && !s.startsWith(' ') && !s.startsWith('\n') && !s.startsWith('\t') && !BLOCK_UNSAFE_RE.test(s);
}

function blockLines(s: string, indent: number): { header: string; lines: string[] } {
  let trailing = 0;
  while (trailing < s.length && s[s.length - 1 - trailing] === '\n') trailing++;
  const header = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
  const body = s.slice(0, s.length - trailing);
  const pad = ' '.repeat(indent);
  const lines = body.split('\n').map((l) => (l === '' ? '' : pad + l));
  for (let i = 1; i < trailing; i++) lines.push('');
  return { header, lines };
}

function scalar(v: unknown, where: string): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`YAML: ${where} is ${v}, not a finite number`);
    // YAML 1.1 floats need a dot before the exponent ("1.0e+21", not "1e+21")
    const t = String(v);
    return /e/.test(t) && !t.includes('.') ? t.replace('e', '.0e') : t;
  }
  if (typeof v === 'string') return scalarString(v);
  throw new Error(`YAML: ${where} has unsupported type ${typeof v}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lines for `prefix` ("  key:" or "  -") followed by `v`; `indent` is the prefix's indentation. */
function emitAfter(prefix: string, v: unknown, indent: number, where: string): string[] {
  const inSeq = prefix.endsWith('-');
  if (typeof v === 'string' && canBlock(v)) {
    const b = blockLines(v, indent + 2);
    return [`${prefix} ${b.header}`, ...b.lines];
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${prefix} []`];
    const lines = emitSeq(v, indent + 2, where);
    if (inSeq) return [`${prefix} ${lines[0]!.trimStart()}`, ...lines.slice(1)];
    return [prefix, ...lines];
  }
  if (isObject(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return [`${prefix} {}`];
    const lines = emitMap(entries, indent + 2, where);
    if (inSeq) return [`${prefix} ${lines[0]!.trimStart()}`, ...lines.slice(1)];
    return [prefix, ...lines];
  }
  return [`${prefix} ${scalar(v, where)}`];
}

function emitMap(entries: Array<[string, unknown]>, indent: number, where: string): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [k, v] of entries) out.push(...emitAfter(`${pad}${scalarString(k)}:`, v, indent, `${where}.${k}`));
  return out;
}

function emitSeq(items: unknown[], indent: number, where: string): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  items.forEach((v, i) => out.push(...emitAfter(`${pad}-`, v, indent, `${where}[${i}]`)));
  return out;
}

/** One YAML document (no `---`), ending with a newline. Keys with undefined values are left out. */
export function toYaml(v: unknown): string {
  if (isObject(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}\n';
    return emitMap(entries, 0, '$').join('\n') + '\n';
  }
  if (Array.isArray(v)) return v.length === 0 ? '[]\n' : emitSeq(v, 0, '$').join('\n') + '\n';
  if (typeof v === 'string' && canBlock(v)) {
    const b = blockLines(v, 2);
    return [b.header, ...b.lines].join('\n') + '\n';
  }
  return scalar(v, '$') + '\n';
}

/** Several documents, each introduced by `---`. */
export function toYamlDocuments(docs: unknown[]): string {
  return docs.map((d) => `---\n${toYaml(d)}`).join('');
}
