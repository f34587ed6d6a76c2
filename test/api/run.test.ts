// The programmatic API: `import { run } from 'llmperf'`, by path and by inline source, against the
// mock; the summary object it resolves with; errors reject with LlmperfError codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, LlmperfError, ConfigError, ScriptError, ExitCode, startMockServer } from '../../index.ts';
import { ROOT } from '../helpers.ts';

const FAST_MOCK = { ttft: '10ms', itl: '1ms', outputTokens: 8 };
const quiet = { log: () => {}, mockOptions: FAST_MOCK, systemEnv: false };

const SCRIPT = `
import llm from 'llmperf/llm';
import { check } from 'llmperf';
import { Counter } from 'llmperf/metrics';
const calls = new Counter('calls');
export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 6 } },
  thresholds: { llm_ttft: ['p(95)<5000'], llm_req_failed: ['rate<0.01'] },
};
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'hi ' + (__ENV.WHO ?? '') }], max_tokens: 8 });
  check(res, { 'status is 200': (r) => r.status === 200 });
  calls.add(1);
}
`;

test('run(): a script by path resolves with the summary of the run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-api-'));
  const file = path.join(dir, 'script.ts');
  writeFileSync(file, SCRIPT);
  const out = await run({ script: file, ...quiet, summaryExport: path.join(dir, 'summary.json') });
  assert.equal(out.exitCode, ExitCode.OK);
  const s = out.summary;
  assert.equal(s.llm.requests, 6);
  assert.equal(s.llm.succeeded, 6);
  assert.equal(s.llm.failed, 0);
  assert.equal(s.llm.successRate, 1);
  assert.ok(s.llm.requestThroughput > 0);
  assert.equal(s.llm.outputTokens, 48, '6 requests × 8 tokens (mock output-tokens=8)');
  assert.equal(s.target.embeddedMock, true);
  assert.match(s.target.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  assert.deepEqual(s.scenarios, [{ name: 's', executor: 'shared-iterations', description: '6 iterations shared among 2 VUs (maxDuration: 10m, gracefulStop: 30s)' }]);
  assert.equal(s.metrics.calls?.values.count, 6);
  const ttft = s.metrics.llm_ttft!;
  assert.equal(ttft.values.count, 6);
  assert.ok(ttft.values['p(95)']! >= 10 && ttft.values['p(95)']! < 5000, `p95 ttft ${ttft.values['p(95)']} with a 10 ms mock ttft`);
  assert.deepEqual(ttft.thresholds, { 'p(95)<5000': { ok: true } });
  assert.deepEqual(s.thresholds.map((t) => [t.metric, t.source, t.ok]), [['llm_ttft', 'p(95)<5000', true], ['llm_req_failed', 'rate<0.01', true]]);
  assert.deepEqual(s.root_group.checks.map((c) => [c.name, c.passes, c.fails]), [['status is 200', 6, 0]]);
  assert.deepEqual(s.iterations, { completed: 6, interrupted: 0, dropped: 0 });
  assert.match(out.stdout, /llm_ttft/);
  assert.deepEqual(out.files, [path.join(dir, 'summary.json')]);
  assert.equal((JSON.parse(readFileSync(out.files[0]!, 'utf8')) as { llm: { requests: number } }).llm.requests, 6);
});

test('run(): inline source with overrides, env and a config layer; a real target by URL', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  try {
    const out = await run({
      script: { source: SCRIPT, baseDir: ROOT },
      overrides: { url: mock.url, iterations: 3 },
      config: { llm: { model: 'from-config' }, tags: { env: 'test' } },
      env: { WHO: 'api' },
      ...quiet,
    });
    assert.equal(out.exitCode, 0);
    assert.equal(out.summary.llm.requests, 3, '--iterations replaces the script scenarios');
    assert.equal(out.summary.target.url, mock.url);
    assert.equal(out.summary.target.embeddedMock, false);
    assert.equal(out.summary.target.model, 'from-config');
    assert.equal(mock.stats().requests, 3 + 1, 'the 3 requests and the connection test (a real request, runtime/llm/probe.ts)');
  } finally {
    await mock.close();
  }
});

test('run(): a failed threshold resolves with exit code 99 (not an error)', async () => {
  const out = await run({ script: { source: SCRIPT.replace("'p(95)<5000'", "'p(95)<1'") }, ...quiet, mockOptions: { ...FAST_MOCK, ttft: '30ms' } });
  assert.equal(out.exitCode, ExitCode.THRESHOLDS_FAILED);
  assert.equal(out.summary.thresholds.find((t) => t.metric === 'llm_ttft')?.ok, false);
});

test('run(): errors reject with LlmperfError codes and exit codes', async () => {
  const cases: Array<{ what: string; opts: Parameters<typeof run>[0]; cls: abstract new (...args: never[]) => LlmperfError; code: string; exit: number; msg: RegExp }> = [
    { what: 'missing script file', opts: { script: '/nonexistent/x.ts', ...quiet }, cls: ConfigError, code: 'SCRIPT_NOT_FOUND', exit: 104, msg: /script not found/ },
    { what: 'syntax error', opts: { script: { source: 'export default async function ( {' }, ...quiet }, cls: ScriptError, code: 'BUNDLE_ERROR', exit: 107, msg: /inline-script\.ts:1:/ },
    { what: 'unknown executor', opts: { script: { source: SCRIPT.replace("'shared-iterations'", "'shared-iteration'") }, ...quiet }, cls: ConfigError, code: 'INVALID_CONFIG', exit: 104, msg: /unknown executor "shared-iteration".*did you mean/i },
    { what: 'bad threshold', opts: { script: { source: SCRIPT.replace("'p(95)<5000'", "'pp(95)<5000'") }, ...quiet }, cls: ConfigError, code: 'INVALID_THRESHOLD', exit: 104, msg: /pp\(95\)/ },
    { what: 'bad config layer', opts: { script: { source: SCRIPT }, config: { llm: { url: 'ftp://x' } }, ...quiet }, cls: ConfigError, code: 'INVALID_CONFIG', exit: 104, msg: /invalid URL "ftp:\/\/x" \(from config\)/ },
    { what: 'no target, embedded mock off', opts: { script: { source: SCRIPT }, embeddedMock: false, ...quiet }, cls: LlmperfError, code: 'NO_TARGET', exit: 104, msg: /no target URL/ },
  ];
  for (const c of cases) {
    await assert.rejects(run(c.opts), (e: unknown) => {
      assert.ok(e instanceof c.cls, `${c.what}: ${String(e)}`);
      const err = e as LlmperfError;
      assert.equal(err.code, c.code, c.what);
      assert.equal(err.exitCode, c.exit, c.what);
      assert.match(err.message, c.msg, c.what);
      return true;
    });
  }
});

test("the package's main export: import { run } from 'llmperf' resolves to dist/index.js (scripts-examples/node/run-api.ts)", () => {
  // self-reference through package.json "exports": what a project with llmperf installed gets
  const r = spawnSync(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'scripts-examples/node/run-api.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exit code 0/);
  assert.match(r.stdout, /^4 requests, [\d.]+ req\/s, p95 TTFT [\d.]+ ms$/m);
});
