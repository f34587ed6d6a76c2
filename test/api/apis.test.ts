// Regression: the programmatic run() could not reach dashscope or an API plugin given in the options
// (`unknown api "dashscope": use one of openai`, every request failed, exit 0): the CLI commands each
// collected adapters themselves while the engine seeded only openai. Every front door now resolves
// options.llm.api in the run's target phase (runtime/engine/target.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, ExitCode, startMockServer, ConfigError } from '../../index.ts';
import { ROOT } from '../helpers.ts';

const quiet = { log: () => {}, systemEnv: false, testConnection: false };
const CHAT = `
import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 3 } } };
export default async function () {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 4 });
  if (!r.ok) throw new Error(r.error.code + ': ' + r.error.message);
}
`;

test('run(): options.llm.api = "dashscope" reaches the DashScope route', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  try {
    const before = mock.stats().byRoute.dashscope ?? 0;
    const out = await run({ script: { source: CHAT }, ...quiet, overrides: { url: mock.url.replace(/\/v1$/, '/api/v1') }, config: { llm: { api: 'dashscope' } } });
    assert.equal(out.exitCode, ExitCode.OK);
    assert.equal(out.summary.llm.succeeded, 3);
    assert.equal(out.summary.target.api, 'dashscope');
    assert.equal((mock.stats().byRoute.dashscope ?? 0) - before, 3);
  } finally {
    await mock.close();
  }
});

test('run(): an API plugin path in the script options is loaded and used', async () => {
  const mock = await startMockServer({ ttftMs: 5, itlMs: 1, outputTokens: 4 });
  try {
    const plugin = path.join(ROOT, 'test/fixtures/perf/completions-plugin.ts');
    const src = CHAT.replace("export const options = {", `export const options = { llm: { api: ${JSON.stringify(plugin)} },`);
    const before = mock.stats().byRoute.completions ?? 0;
    const out = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url } });
    assert.equal(out.exitCode, ExitCode.OK);
    assert.equal(out.summary.llm.succeeded, 3);
    assert.equal(out.summary.target.api, 'completions-plugin');
    assert.equal((mock.stats().byRoute.completions ?? 0) - before, 3, 'the plugin sends to /v1/completions');
  } finally {
    await mock.close();
  }
});

test('run(): a relative plugin path in the script resolves against the script folder', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-api-plugin-'));
  writeFileSync(path.join(dir, 'my-api.ts'), `export { default } from ${JSON.stringify(path.join(ROOT, 'test/fixtures/perf/completions-plugin.ts'))};\n`);
  writeFileSync(path.join(dir, 'script.ts'), CHAT.replace("export const options = {", "export const options = { llm: { api: './my-api.ts' },"));
  const out = await run({ script: path.join(dir, 'script.ts'), ...quiet, mockOptions: { ttft: '5ms', itl: '1ms', outputTokens: 4 } });
  assert.equal(out.exitCode, ExitCode.OK);
  assert.equal(out.summary.target.api, 'completions-plugin');
});

test('run(): an unknown API is a configuration error before anything runs', async () => {
  await assert.rejects(run({ script: { source: CHAT }, ...quiet, overrides: { api: 'anthropic' } }), (e: unknown) => e instanceof ConfigError && /unknown API "anthropic": use openai, dashscope/.test((e as Error).message));
});

test('run(): a run in which every request failed fails (exit 99) unless a threshold on llm_req_failed says otherwise', async () => {
  const mock = await startMockServer({ ttftMs: 1, itlMs: 1, outputTokens: 2, faults: { http_500: 1 } });
  try {
    const src = CHAT.replace("  if (!r.ok) throw new Error(r.error.code + ': ' + r.error.message);\n", '');
    const failed = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url } });
    assert.equal(failed.summary.llm.failed, 3);
    assert.equal(failed.exitCode, ExitCode.THRESHOLDS_FAILED);
    assert.deepEqual(failed.summary.thresholds.map((t) => [t.metric, t.source, t.ok, t.implicit]), [['llm_req_failed', 'rate<1', false, true]]);
    assert.match(failed.stdout, /✗ 'rate<1' rate=1 \(llmperf's default: every request failed/);

    const own = await run({ script: { source: src.replace('export const options = {', "export const options = { thresholds: { llm_req_failed: ['rate<=1'] },") }, ...quiet, overrides: { url: mock.url } });
    assert.equal(own.exitCode, ExitCode.OK, 'the user decided: their threshold replaces the default');
    const off = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url }, noThresholds: true });
    assert.equal(off.exitCode, ExitCode.OK, 'noThresholds (--no-thresholds) evaluates none');
  } finally {
    await mock.close();
  }
  // a run that made no request at all does not fail for it
  const none = await run({ script: { source: 'export default function () {}' }, ...quiet, mockOptions: {} });
  assert.equal(none.exitCode, ExitCode.OK);
  assert.deepEqual(none.summary.thresholds, []);
});
