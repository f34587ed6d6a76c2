// `llmperf inspect`: resolved options with their source layer, and the plan, without running; and
// `llmperf run --config`: the config layer in a real run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers.ts';
import { startMockServer } from '../../runtime/mock/index.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-inspect-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SCRIPT = `
import llm from 'llmperf/llm';
import { Trend } from 'llmperf/metrics';
const answer = new Trend('answer_len');
export const options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', arrival: 'poisson', preAllocatedVUs: 20, maxVUs: 200 },
    smoke: { executor: 'shared-iterations', vus: 4, iterations: 20, maxDuration: '30s', startTime: '1m', exec: 'smoke' },
  },
  thresholds: { llm_ttft: ['p(95)<500'], 'answer_len{scenario:smoke}': [{ threshold: 'avg>1', abortOnFail: true }] },
  llm: { model: 'script-model', headers: { authorization: 'Bearer s3cret' } },
};
export default async function () { const r = await llm.chat({ messages: [{ role: 'user', content: 'x' }] }); answer.add(r.text.length); }
export async function smoke() {}
`;

const CONFIG = JSON.stringify({ llm: { model: 'config-model', readTimeout: '30s' }, tags: { env: 'staging' }, summaryTimeUnit: 'ms' });

test('inspect: the plan in k6 words and every resolved value with the layer it came from', async () => {
  const dir = project({ 'load.ts': SCRIPT, 'staging.json': CONFIG });
  const r = await runCli(['inspect', 'load.ts', '--config', 'staging.json', '--url', 'http://127.0.0.1:9/v1', '--tag', 'run=7'], {
    cwd: dir,
    env: { LLMPERF_MODEL: 'env-model', LLMPERF_API_KEY: 'env-secret' },
  });
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /execution plan: 2 scenarios, 204 max VUs, 2m max duration \(incl\. graceful stop\)/);
  assert.match(out, /\* steady: Poisson arrivals at 5 iterations\/s for 1m \(20-200 VUs, gracefulStop: 30s\)/);
  assert.match(out, /\* smoke: 20 iterations shared among 4 VUs \(maxDuration: 30s, gracefulStop: 30s\) \[exec: smoke, startTime: 1m\]/);
  const row = (key: string) => new RegExp(`^  ${key.replace(/[.]/g, '\\.')}\\s+(.+?)\\s{2,}(default|config|script|env|cli)\\b`, 'm').exec(out)?.slice(1, 3);
  assert.deepEqual(row('scenarios'), ['steady (constant-arrival-rate), smoke (shared-iterations)', 'script']);
  assert.deepEqual(row('llm.url'), ['http://127.0.0.1:9/v1', 'cli']);
  assert.deepEqual(row('llm.model'), ['env-model', 'env']);
  assert.deepEqual(row('llm.apiKey'), ['[REDACTED]', 'env']);
  assert.deepEqual(row('llm.headers.authorization'), ['[REDACTED]', 'script']);
  assert.deepEqual(row('llm.readTimeout'), ['30s', 'config']);
  assert.deepEqual(row('llm.connectTimeout'), ['10s', 'default']);
  assert.deepEqual(row('summaryTimeUnit'), ['ms', 'config']);
  assert.deepEqual(row('tags.env'), ['staging', 'config']);
  assert.deepEqual(row('tags.run'), ['7', 'cli']);
  assert.match(out, /answer_len\{scenario:smoke\}: avg>1 \(abortOnFail\)/);
  assert.match(out, /custom metrics: answer_len \(trend\)/);
  assert.doesNotMatch(out + r.stderr, /s3cret|env-secret/);
});

test('inspect --json: machine-readable, with sources; LLMPERF_VUS replaces the scenarios', async () => {
  const dir = project({ 'load.ts': SCRIPT });
  const r = await runCli(['inspect', 'load.ts', '--json', '--iterations', '8'], { cwd: dir, env: { LLMPERF_VUS: '3' } });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    scenarios: Array<{ name: string; executor: string; description: string; maxVUs: number; iterations: number }>;
    sources: Record<string, string>;
    options: { llm: { model: string; headers: Record<string, string> } };
    exports: string[];
  };
  assert.deepEqual(j.scenarios.map((s) => [s.name, s.executor, s.description, s.maxVUs, s.iterations]), [
    ['default', 'shared-iterations', '8 iterations shared among 3 VUs (maxDuration: 10m, gracefulStop: 30s)', 3, 8],
  ]);
  assert.equal(j.sources.scenarios, 'cli');
  assert.equal(j.sources.vus, 'env');
  assert.equal(j.sources.iterations, 'cli');
  assert.equal(j.options.llm.model, 'script-model');
  assert.equal(j.options.llm.headers.authorization, '[REDACTED]');
  assert.deepEqual(j.exports.sort(), ['default', 'smoke']);
});

test('inspect: what would stop a run stops inspect, with the same exit codes', async () => {
  const dir = project({
    'bad-threshold.ts': SCRIPT.replace("'p(95)<500'", "'p95<500'"),
    'no-exec.ts': SCRIPT.replace('export async function smoke() {}', ''),
    'syntax.ts': 'export default async function ( {',
    'bad.json': '{"llm": {"modle": "x"}}',
  });
  const th = await runCli(['inspect', 'bad-threshold.ts'], { cwd: dir });
  assert.equal(th.code, 104);
  assert.match(th.stderr, /p95<500.*did you mean p\(95\)/);
  const ex = await runCli(['inspect', 'no-exec.ts'], { cwd: dir });
  assert.equal(ex.code, 107);
  assert.match(ex.stderr, /scenarios\.smoke\.exec: the script exports no function named "smoke"/);
  const sx = await runCli(['inspect', 'syntax.ts'], { cwd: dir });
  assert.equal(sx.code, 107);
  assert.match(sx.stderr, /syntax\.ts:1:/);
  const cf = await runCli(['inspect', 'no-exec.ts', '--config', 'bad.json'], { cwd: dir });
  assert.equal(cf.code, 104);
  assert.match(cf.stderr, /bad\.json\.llm: unknown option "modle"/);
});

test('run --config: the config file sets what the script leaves open; the script and flags win over it', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  try {
    const dir = project({
      'script.ts': `import llm from 'llmperf/llm';
export const options = { llm: { model: 'script-model' } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }] }); }`,
      'cfg.json': JSON.stringify({ vus: 2, iterations: 5, llm: { url: mock.url, model: 'config-model' } }),
    });
    const r = await runCli(['run', 'script.ts', '--config', 'cfg.json', '--summary-export', 'summary.json', '-q'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Requests\s+5 total/);
    assert.match(r.stdout, /model=script-model/);
    assert.equal(mock.stats().requests, 5 + 1, 'the 5 requests and the connection test (a real request)');
    const flags = await runCli(['run', 'script.ts', '--config', 'cfg.json', '-i', '2', '-q'], { cwd: dir });
    assert.equal(flags.code, 0, flags.stderr);
    assert.match(flags.stdout, /Requests\s+2 total/);
  } finally {
    await mock.close();
  }
});
