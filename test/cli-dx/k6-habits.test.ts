// k6's flags and habits on `llmperf run`, each as k6 defines it (issue 19), through the built CLI:
// thresholds kept meaningful under CLI overrides, --stage, --no-summary, --http-debug, --console-output,
// -v, `run -`, `version`, the closing "have been crossed" line, --insecure-skip-tls-verify against a
// self-signed endpoint, and setupTimeout / teardownTimeout bounding awaited work.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { startMockServer } from '../../runtime/mock/server.ts';
import { BIN, ROOT, runCli, tempFiles } from '../helpers.ts';

const FAST = ['--mock', 'ttft=5ms', '--mock', 'itl=1ms', '--mock', 'output-tokens=8'];

const PLAIN = `
import llm from 'llmperf/llm';
export const options = { scenarios: { open: { executor: 'shared-iterations', vus: 1, iterations: 3 } } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }); }
`;

const OPEN_SCENARIO = `
import llm from 'llmperf/llm';
export const options = {
  scenarios: { open: { executor: 'shared-iterations', vus: 1, iterations: 3 } },
  thresholds: { 'llm_ttft{scenario:open}': ['p(95)<0.001'] },
};
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }); }
`;

test('CLI overrides keep scenario thresholds meaningful: -u 2 -i 4 re-binds llm_ttft{scenario:open} to default, with a notice, and it fails (exit 99, not 0)', async () => {
  const dir = tempFiles({ 'open.ts': OPEN_SCENARIO });
  const r = await runCli(['run', 'open.ts', '-u', '2', '-i', '4', '--no-save', ...FAST], { cwd: dir });
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stderr, /NOTE threshold on llm_ttft\{scenario:open\} applies to llm_ttft\{scenario:default\}: the command line \(--vus\/--iterations\/--duration\/--stage\) replaced the script's scenarios by "default"/);
  assert.match(r.stdout, /llm_ttft\{scenario:default\}/);
  assert.doesNotMatch(r.stdout, /p\(95\)=0\.00ms/, 'never judged on an empty sub-metric');
  // the environment layer replaces them the same way
  const env = await runCli(['run', 'open.ts', '--no-save', ...FAST], { cwd: dir, env: { LLMPERF_VUS: '1', LLMPERF_ITERATIONS: '2' } });
  assert.equal(env.code, 99, env.stderr);
  assert.match(env.stderr, /the environment \(LLMPERF_VUS\/ITERATIONS\/DURATION\/STAGES\) replaced/);
});

test('a threshold on a scenario the run does not have is an error (exit 104) naming the scenarios there are', async () => {
  const dir = tempFiles({ 'typo.ts': OPEN_SCENARIO.replace("'llm_ttft{scenario:open}'", "'llm_ttft{scenario:opne}'") });
  const r = await runCli(['run', 'typo.ts', '--no-save', ...FAST], { cwd: dir });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /thresholds\["llm_ttft\{scenario:opne\}"\]: this run has no scenario "opne" \(did you mean open\?\) \(its scenarios: "open"\)/);
});

test('-s/--stage: k6 stages (repeatable or comma-separated) replace the scenarios by ramping VUs; LLMPERF_STAGES too', async () => {
  const dir = tempFiles({ 'open.ts': PLAIN });
  const r = await runCli(['inspect', 'open.ts', '-s', '1s:2', '--stage', '1s:4,2s:0', '--json'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { scenarios: Array<{ name: string; executor: string; stages?: unknown }> };
  assert.equal(plan.scenarios[0]!.name, 'default');
  assert.equal(plan.scenarios[0]!.executor, 'ramping-vus');
  assert.match(r.stdout, /"durationMs": 1000[\s\S]*"target": 2[\s\S]*"target": 4[\s\S]*"target": 0/);
  const env = await runCli(['inspect', 'open.ts', '--json'], { cwd: dir, env: { LLMPERF_STAGES: '1s:3,1s' } });
  assert.equal(env.code, 0, env.stderr);
  assert.match(env.stdout, /"target": 3[\s\S]*"target": 3/, 'a stage without a target holds the previous one');
  const bad = await runCli(['inspect', 'open.ts', '-s', ':5'], { cwd: dir });
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /--stage: stage 0 \(":5"\) has no duration: write DURATION:TARGET, e.g\. 30s:10/);
});

test('--no-summary: no summary, no handleSummary(), no --summary-export; the run directory and the exit code stay', async () => {
  const dir = tempFiles({
    'hs.ts': `${OPEN_SCENARIO}
export function handleSummary() { return { 'custom.txt': 'called' }; }`,
  });
  const r = await runCli(['run', 'hs.ts', '--no-summary', '--summary-export', 'export.json', '--out-dir', 'out', ...FAST], { cwd: dir });
  assert.equal(r.code, 99, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(!existsSync(path.join(dir, 'custom.txt')) && !existsSync(path.join(dir, 'export.json')));
  assert.ok(existsSync(path.join(dir, 'out', 'summary.json')));
  assert.match(r.stderr, /ERROR thresholds on metrics 'llm_ttft\{scenario:open\}' have been crossed\n/, "k6's closing line");
});

test('--http-debug logs requests and responses without bodies, =full with them; secrets redacted', async () => {
  const dir = tempFiles({ 'ok.ts': PLAIN });
  const h = await runCli(['run', 'ok.ts', '--http-debug', '--no-save', '--api-key', 'sk-secret-123', ...FAST], { cwd: dir });
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stderr, /DEBUG > POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \{/);
  assert.match(h.stderr, /DEBUG < 200 ok ttft=/);
  assert.doesNotMatch(h.stderr, /"hello"/, 'no bodies');
  assert.doesNotMatch(h.stderr, /sk-secret-123/);
  const f = await runCli(['run', 'ok.ts', '--http-debug=full', '--no-save', ...FAST], { cwd: dir });
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stderr, /DEBUG > POST .*"hello"/);
  const bad = await runCli(['run', 'ok.ts', '--http-debug=bodies', '--no-save'], { cwd: dir });
  assert.equal(bad.code, 104);
});

test('--console-output appends console lines to a file; console.debug only with -v, which also prints llmperf\u2019s DEBUG lines', async () => {
  const dir = tempFiles({
    'log.ts': `export const options = { vus: 1, iterations: 2 };
export default function () { console.log('visible line'); console.debug('debug line'); }`,
  });
  const q = await runCli(['run', 'log.ts', '--no-save'], { cwd: dir });
  assert.match(q.stderr, /INFO\[vu 1\] visible line/);
  assert.doesNotMatch(q.stderr, /debug line/, 'k6 shows console.debug only with -v');
  const v = await runCli(['run', 'log.ts', '--no-save', '-v'], { cwd: dir });
  assert.match(v.stderr, /DEBUG\[vu 1\] debug line/);
  assert.match(v.stderr, /DEBUG loaded and prepared in \d+ ms: target/);
  assert.match(v.stderr, /DEBUG scenario default \(shared-iterations\): /);
  const c = await runCli(['run', 'log.ts', '--no-save', '--console-output', 'console.log'], { cwd: dir });
  assert.equal(c.code, 0, c.stderr);
  assert.doesNotMatch(c.stderr, /visible line/);
  await runCli(['run', 'log.ts', '--no-save', '--console-output', 'console.log', '-v'], { cwd: dir });
  const lines = readFileSync(path.join(dir, 'console.log'), 'utf8').trim().split('\n');
  assert.deepEqual(lines, ['INFO[vu 1] visible line', 'INFO[vu 1] visible line', 'INFO[vu 1] visible line', 'DEBUG[vu 1] debug line', 'INFO[vu 1] visible line', 'DEBUG[vu 1] debug line'], 'appended, as k6 does');
});

test('run - reads the script from stdin; version prints the version', async () => {
  const dir = tempFiles({});
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'run', '-', '--out-dir', 'out', ...FAST], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => setImmediate(() => resolve({ code, stdout, stderr })));
    child.stdin.end(PLAIN);
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /LLM BENCHMARK/);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'out', 'run.json'), 'utf8')).script, path.join(dir, 'stdin'));
  const v = await runCli(['version']);
  assert.equal(v.code, 0);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(v.stdout, `llmperf v${pkg.version} (node ${process.version}, ${process.platform}/${process.arch})\n`);
});

test('--insecure-skip-tls-verify: a self-signed endpoint is refused without it (exit 100), benchmarked with it, with a warning', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 8 });
  const target = new URL(mock.url);
  const tlsDir = path.join(ROOT, 'test', 'fixtures', 'tls');
  const server = https.createServer({ key: readFileSync(path.join(tlsDir, 'localhost-test-only.key')), cert: readFileSync(path.join(tlsDir, 'localhost-test-only.crt')) }, (req, res) => {
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  try {
    const dir = tempFiles({ 'ok.ts': PLAIN });
    const refused = await runCli(['run', 'ok.ts', '--url', url, '--no-save'], { cwd: dir });
    assert.equal(refused.code, 100, refused.stderr);
    assert.match(refused.stderr, /self[- ]signed|certificate/i);
    const ok = await runCli(['run', 'ok.ts', '--url', url, '--no-save', '--insecure-skip-tls-verify'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /WARN insecureSkipTLSVerify \(--insecure-skip-tls-verify\): TLS certificates are not verified/);
    assert.match(ok.stdout, /Requests +3 total, 3 succeeded/);
    const opt = tempFiles({ 'opt.ts': PLAIN.replace('export const options = {', 'export const options = { insecureSkipTLSVerify: true,') });
    const byOption = await runCli(['run', 'opt.ts', '--url', url, '--no-save'], { cwd: opt });
    assert.equal(byOption.code, 0, byOption.stderr);
    assert.match(byOption.stderr, /WARN insecureSkipTLSVerify \(options\.insecureSkipTLSVerify\)/);
  } finally {
    server.close();
    await mock.close();
  }
});

test('setupTimeout and teardownTimeout bound async work: exit 100 (setup, no test run) and 101 (teardown, results kept), as k6', async () => {
  const script = (setup: string, teardown: string) => `
import { sleep } from 'llmperf';
export const options = { vus: 1, iterations: 1, setupTimeout: '1s', teardownTimeout: '1s' };
export async function setup() { ${setup} }
export default function () {}
export async function teardown() { ${teardown} }`;
  const dir = tempFiles({ 'slow-setup.ts': script('await sleep(5)', ''), 'slow-teardown.ts': script('', 'await sleep(5)'), 'quick.ts': script('await sleep(0.1)', 'await sleep(0.1)') });
  const t0 = Date.now();
  const s = await runCli(['run', 'slow-setup.ts', '--no-save'], { cwd: dir });
  assert.equal(s.code, 100, s.stderr);
  assert.match(s.stderr, /error: setup\(\) execution timed out after 1 seconds: raise options\.setupTimeout/);
  assert.ok(Date.now() - t0 < 30_000);
  const t = await runCli(['run', 'slow-teardown.ts', '--out-dir', 'td'], { cwd: dir });
  assert.equal(t.code, 101, t.stderr);
  assert.match(t.stderr, /ERROR teardown\(\) failed: execution timed out after 1 seconds/);
  assert.ok(readdirSync(path.join(dir, 'td')).includes('summary.json'), 'the results are written');
  const q = await runCli(['run', 'quick.ts', '--no-save'], { cwd: dir });
  assert.equal(q.code, 0, q.stderr);
});
