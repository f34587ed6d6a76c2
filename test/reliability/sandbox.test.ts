// Known sandbox escape routes must fail without harming the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { run } from '../../runtime/api.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { tempFiles } from '../helpers.ts';

test('escape attempts through host-provided functions, errors and results reach nothing of the host', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
import { check, sleep } from 'llmperf';
import { Counter } from 'llmperf/metrics';
const escaped = new Counter('escaped');
const tried = new Counter('tried');
function probe(name: string, f: () => unknown) {
  tried.add(1);
  let v: unknown;
  try { v = f(); } catch { v = undefined; }
  if (v !== undefined && v !== null && v !== 'undefined') { console.log('ESCAPE ' + name + ' ' + String(v)); escaped.add(1); }
}
export const options = { vus: 1, iterations: 1 };
export default async function () {
  const F = (x: unknown) => (x as { constructor: { constructor: (s: string) => () => unknown } }).constructor.constructor;
  probe('check.constructor', () => (check as unknown as { constructor: (s: string) => () => unknown }).constructor('return typeof process === "undefined" ? undefined : "process"')());
  probe('llm.chat via Function', () => F(llm.chat)('return typeof require === "undefined" ? undefined : "require"')());
  probe('sleep promise', () => F(sleep(0))('return typeof process === "undefined" ? undefined : "process"')());
  const res = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  probe('result object', () => F(res)('return typeof process === "undefined" ? undefined : "process"')());
  (Object.getPrototypeOf(res) as Record<string, unknown>).pwned = 'yes';
  (Object.prototype as Record<string, unknown>).polluted = 'yes';
  (Array.prototype as unknown as Record<string, unknown>).polluted = 'yes';
  try { await llm.chat(null as never); } catch (e) { probe('error object', () => F(e)('return typeof process === "undefined" ? undefined : "process"')()); }
  probe('globalThis.process', () => (globalThis as Record<string, unknown>).process);
  probe('import.meta-ish', () => (globalThis as Record<string, unknown>).__llmperf_host_llm);
}
`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l) });
  assert.equal(out.summary.metrics.tried?.values.count, 7);
  assert.equal(out.summary.metrics.escaped?.values.count ?? 0, 0, lines.join('\n'));
  // prototype pollution inside the VU did not reach the host
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
  assert.equal(({} as Record<string, unknown>).pwned, undefined);
});

// ---- file access (runtime/engine/file-access.ts). Regression for: open() read any file (/etc/shadow
// through a symlink, /proc/self/environ, ../../), open('/dev/zero') grew without bound, and
// handleSummary wrote to any absolute path.

async function initError(dir: string, body: string, extra: Partial<Parameters<typeof run>[0]> = {}): Promise<string> {
  writeFileSync(path.join(dir, 's.ts'), `export const options = { vus: 1, iterations: 1 };\n${body}\nexport default function () {}\n`);
  try {
    await run({ script: path.join(dir, 's.ts'), log: () => {}, ...extra });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.exitCode, 104);
    return e.message;
  }
  throw new Error('the run did not fail');
}

test('open() reads only the script folder: absolute paths, ../, a symlink out and /proc are refused (exit 104)', async () => {
  const outside = tempFiles({ 'secret.txt': 'TOP-SECRET' });
  const dir = tempFiles({ 'ok.txt': 'fine' });
  mkdirSync(path.join(dir, 'sub'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'sub', 'link.txt'));
  for (const p of [path.join(outside, 'secret.txt'), path.relative(dir, path.join(outside, 'secret.txt')), 'sub/link.txt', '/proc/self/environ', '/etc/hostname']) {
    const msg = await initError(dir, `const t = open(${JSON.stringify(p)});`);
    assert.match(msg, /a script reads only files in its own folder .* is outside\. Move the file there, or allow it with --allow-read /, p);
    assert.doesNotMatch(msg, /TOP-SECRET/);
  }
  // what a script that catches the refusal learns: the refusal, not the content
  writeFileSync(path.join(dir, 'c.ts'), `import { Counter } from 'llmperf/metrics';\nconst leaked = new Counter('leaked');\nlet got = '';\ntry { got = open('sub/link.txt'); } catch (e) { got = String(e); }\nexport const options = { vus: 1, iterations: 1 };\nexport default function () { if (got.includes('TOP-SECRET')) leaked.add(1); }\n`);
  const out = await run({ script: path.join(dir, 'c.ts'), log: () => {} });
  assert.equal(out.summary.metrics.leaked?.values.count ?? 0, 0);
  // --allow-read opens exactly what it names
  writeFileSync(path.join(dir, 'a.ts'), `import { Counter } from 'llmperf/metrics';\nconst n = new Counter('chars');\nconst t = open(${JSON.stringify(path.join(outside, 'secret.txt'))});\nexport const options = { vus: 1, iterations: 1 };\nexport default function () { n.add(t.length); }\n`);
  const allowed = await run({ script: path.join(dir, 'a.ts'), log: () => {}, allowRead: [outside] });
  assert.equal(allowed.summary.metrics.chars?.values.count, 'TOP-SECRET'.length);
});

test('open() refuses devices, FIFOs and files over the size cap at once, even when allowed', async () => {
  const dir = tempFiles({});
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  const big = path.join(dir, 'big.bin');
  writeFileSync(big, '');
  truncateSync(big, 300 * 1024 * 1024); // sparse: no disk used
  const t0 = Date.now();
  assert.match(await initError(dir, `const t = open('/dev/zero', 'b');`, { allowRead: ['/dev'] }), /\/dev\/zero is not a regular file \(devices, pipes, sockets and folders are refused\)/);
  assert.match(await initError(dir, `const t = open('./pipe');`), /pipe is not a regular file/);
  assert.match(await initError(dir, `const t = open('./big.bin', 'b');`), /the file is 300 MiB, more than the 256 MiB a script may load this way/);
  assert.ok(Date.now() - t0 < 30_000, 'refused without reading');
});

test('datasets and dataset plugins the script names are confined the same way; --allow-read opens them', async () => {
  const outside = tempFiles({ 'q.jsonl': '{"question":"from outside"}\n' });
  const dir = tempFiles({});
  const body = `import { openqa } from 'llmperf/data';\nconst q = openqa(${JSON.stringify(path.join(outside, 'q.jsonl'))});`;
  assert.match(await initError(dir, body), /openqa dataset ".*q\.jsonl": a script reads only files in its own folder/);
  assert.match(await initError(dir, `import { dataset } from 'llmperf/data';\nconst d = dataset(${JSON.stringify(path.join(outside, 'plugin.ts'))});`), /dataset plugin ".*plugin\.ts": a script reads only files in its own folder/);
  writeFileSync(path.join(dir, 's.ts'), `${body}\nexport const options = { vus: 1, iterations: 1 };\nexport default function () { if (q.size !== 1) throw new Error('size ' + q.size); }\n`);
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, allowRead: [path.join(outside, 'q.jsonl')] });
  assert.equal(out.summary.scriptErrors.length, 0, JSON.stringify(out.summary.scriptErrors));
});

test('handleSummary() writes relative paths under the working directory; absolute paths and ../ need --allow-write', async () => {
  const cwd = process.cwd();
  const dir = tempFiles({});
  const elsewhere = tempFiles({});
  process.chdir(dir);
  try {
    writeFileSync(path.join(dir, 's.ts'), `export const options = { vus: 1, iterations: 1 };\nexport default function () {}\nexport function handleSummary() { return { stdout: 'custom\\n', 'reports/ok.txt': 'ok', ${JSON.stringify(path.join(elsewhere, 'abs.txt'))}: 'abs', '../up.txt': 'up' }; }\n`);
    const out = await run({ script: path.join(dir, 's.ts'), log: () => {} });
    assert.equal(out.exitCode, 104);
    assert.equal(out.stdout, 'custom\n');
    assert.deepEqual(out.files, [path.join(dir, 'reports', 'ok.txt')]);
    assert.equal(out.writeFailures.length, 2);
    for (const f of out.writeFailures) assert.match(f, /a script writes only relative paths under the working directory, the run directory, stdout and stderr; .* is outside\. Allow it with --allow-write /);
    assert.ok(!existsSync(path.join(elsewhere, 'abs.txt')) && !existsSync(path.join(path.dirname(dir), 'up.txt')));
    const allowed = await run({ script: path.join(dir, 's.ts'), log: () => {}, allowWrite: [elsewhere, path.dirname(dir)] });
    assert.equal(allowed.exitCode, 0, allowed.writeFailures.join('\n'));
    assert.equal(readFileSync(path.join(elsewhere, 'abs.txt'), 'utf8'), 'abs');
  } finally {
    process.chdir(cwd);
    rmSync(path.join(path.dirname(dir), 'up.txt'), { force: true });
  }
});
