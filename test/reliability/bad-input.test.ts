// Bad input: one clear line that says what to fix, and the documented exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createServer } from 'node:net';
import http from 'node:http';
import { runCli, tempFiles } from '../helpers.ts';

const ok = `import llm from 'llmperf/llm';\nexport default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }); }\n`;

async function freePortHeld(): Promise<{ port: number; close: () => void }> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as { port: number }).port, close: () => srv.close() };
}

test('unreachable URL at start: exit 100 with one line; --no-test-connection runs and records CONN_REFUSED', async () => {
  const dir = tempFiles({ 's.ts': `export const options = { vus: 1, iterations: 2 };\n` + ok });
  const r = await runCli(['run', path.join(dir, 's.ts'), '--url', 'http://127.0.0.1:1/v1', '--no-save'], { cwd: dir });
  assert.equal(r.code, 100, r.stderr);
  assert.match(r.stderr, /^error: cannot reach http:\/\/127\.0\.0\.1:1 .*connection refused.*--no-test-connection/m);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  const n = await runCli(['run', path.join(dir, 's.ts'), '--url', 'http://127.0.0.1:1/v1', '--no-save', '--no-test-connection'], { cwd: dir });
  // every request failed: llmperf's default threshold fails the run (exit 99; docs: Failures and exit codes)
  assert.equal(n.code, 99, n.stderr);
  assert.match(n.stdout, /✗ 'rate<1' rate=1 \(llmperf's default: every request failed/);
  assert.match(n.stdout, /Requests\s+2 total, 0 succeeded, 2 failed/);
  assert.match(n.stdout, /CONN_REFUSED\s+2/);
});

const cases: Array<[string, Record<string, string>, string[], number, RegExp]> = [
  ['unknown executor', { 's.ts': `export const options = { scenarios: { a: { executor: 'constant-vu', vus: 1, duration: '1s' } } };\n` + ok }, [], 104, /scenarios\.a\.executor: unknown executor "constant-vu" \(did you mean constant-vus\?\)/],
  ['unknown option', { 's.ts': `export const options = { vus: 1, iteration: 3 };\n` + ok }, [], 104, /options: unknown option "iteration" \(did you mean iterations\?\)/],
  ['bad duration', { 's.ts': `export const options = { vus: 1, duration: '10 minutes' };\n` + ok }, [], 104, /"10 minutes" is not a valid duration/],
  ['bad CLI duration', { 's.ts': ok }, ['--duration', 'soon'], 104, /"soon" is not a valid duration/],
  ['unknown flag', { 's.ts': ok }, ['--vuz', '3'], 104, /Unknown argument: vuz/],
  ['bad header', { 's.ts': ok }, ['--header', 'novalue'], 104, /--header "novalue": write KEY=VALUE/],
  ['missing dataset file', { 's.ts': `import { openqa } from 'llmperf/data';\nconst p = openqa('./nope.jsonl');\n` + ok }, [], 104, /nope\.jsonl/],
  ['malformed dataset line', { 's.ts': `import { openqa } from 'llmperf/data';\nconst p = openqa('./q.jsonl');\n` + ok, 'q.jsonl': '{"question":"a"}\n{"question": oops}\n' }, [], 104, /q\.jsonl:2/],
];
for (const [name, files, args, code, re] of cases) {
  test(`bad input: ${name} -> exit ${code}`, async () => {
    const dir = tempFiles(files);
    const r = await runCli(['run', path.join(dir, 's.ts'), '--no-save', ...args], { cwd: dir });
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, re);
  });
}

test('mock: port already in use -> exit 104 naming the flag', async () => {
  const held = await freePortHeld();
  try {
    const r = await runCli(['mock', '--port', String(held.port)], { timeoutMs: 15_000 });
    assert.equal(r.code, 104, r.stderr);
    assert.match(r.stderr, new RegExp(`port ${held.port} is already in use.*--port`));
  } finally {
    held.close();
  }
});

test('a server that accepts and never answers: the connection test stops run, perf and sweep with exit 100 and a clear message', async () => {
  // regression: perf waited --connect-timeout + 5 s (605 s by default) in silence, then started anyway
  const silent = createServer(() => undefined);
  // and one that sends its headers, then nothing
  const headersOnly = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => headersOnly.listen(0, '127.0.0.1', r));
  try {
    const dir = tempFiles({ 's.ts': `export const options = { vus: 1, iterations: 1 };\n` + ok });
    for (const srv of [silent, headersOnly]) {
      const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
      const runs: Array<[string, string[]]> = [
        ['run', ['run', 's.ts', '--url', `${base}/v1`, '--read-timeout', '2s', '--no-save']],
        ['perf', ['perf', '--url', `${base}/v1/chat/completions`, '--model', 'm', '--number', '1', '--parallel', '1', '--prompt', 'hi', '--read-timeout', '2', '--outputs-dir', 'perf-out']],
        ['sweep', ['sweep', 's.ts', '--url', `${base}/v1`, '--read-timeout', '2s', '--concurrency', '1', '--requests-per-level', '1', '--no-save']],
      ];
      for (const [name, args] of runs) {
        const t0 = Date.now();
        const r = await runCli(args, { cwd: dir, timeoutMs: 60_000 });
        assert.equal(r.code, 100, `${name}: ${r.stderr}`);
        assert.match(r.stderr, /connection test failed: .*the server accepted the connection but sent no answer within 2 s.*--no-test-connection/, name);
        assert.ok(Date.now() - t0 < 45_000, `${name} gave up after ${Date.now() - t0} ms`);
        assert.doesNotMatch(r.stdout, /Requests\s+\d+ total/, `${name} did not start`);
      }
    }
  } finally {
    silent.close();
    headersOnly.closeAllConnections();
    headersOnly.close();
  }
});

test('the connection test waits at most 60 s for an answer by default (the read timeout is 120 s)', async () => {
  const { PROBE_ANSWER_TIMEOUT_MS } = await import('../../runtime/engine/target.ts');
  assert.equal(PROBE_ANSWER_TIMEOUT_MS, 60_000);
});
