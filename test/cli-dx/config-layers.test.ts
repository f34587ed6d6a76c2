// Option layering, as k6: defaults < --config file < script options < LLMPERF_* env < CLI flags,
// with "not set" kept apart from an explicit value, and the source of every resolved value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { envLayer, readConfigFile, resolveOptions, resolveWithSources, type ScriptOptions } from '../../runtime/options/resolve.ts';
import { ConfigError } from '../../runtime/errors.ts';

test('each llm value comes from the highest layer that sets it, and says which', () => {
  const config: ScriptOptions = { llm: { url: 'http://config:1/v1', model: 'config-model', api: 'dashscope', tokenizer: 'config-tok', timeout: '1m' } };
  const script: ScriptOptions = { llm: { url: 'http://script:1/v1', model: 'script-model', api: 'openai' } };
  const env = { LLMPERF_URL: 'http://env:1/v1', LLMPERF_MODEL: 'env-model' };
  const cli = { url: 'http://cli:1/v1' };
  const { options: o, sources } = resolveWithSources(script, env, cli, config);
  assert.equal(o.llm.url, 'http://cli:1/v1');
  assert.equal(o.llm.model, 'env-model');
  assert.equal(o.llm.api, 'openai');
  assert.equal(o.llm.tokenizer, 'config-tok');
  assert.equal(o.llm.totalTimeoutMs, 60_000);
  assert.equal(o.llm.connectTimeoutMs, 10_000);
  assert.deepEqual(
    { url: sources['llm.url'], model: sources['llm.model'], api: sources['llm.api'], tok: sources['llm.tokenizer'], timeout: sources['llm.timeout'], connect: sources['llm.connectTimeout'] },
    { url: 'cli', model: 'env', api: 'script', tok: 'config', timeout: 'config', connect: 'default' },
  );
});

test('undefined never overrides; explicit false, 0 and "" do', () => {
  const config: ScriptOptions = { llm: { includeUsage: true, model: 'config-model' } };
  const script: ScriptOptions = { llm: { includeUsage: false, model: undefined } };
  const { options: o, sources } = resolveWithSources(script, {}, { model: undefined }, config);
  assert.equal(o.llm.includeUsage, false);
  assert.equal(sources['llm.includeUsage'], 'script');
  assert.equal(o.llm.model, 'config-model');
  assert.equal(sources['llm.model'], 'config');
  assert.equal(resolveOptions({ iterationTimeout: 0 }, {}, {}, { iterationTimeout: '5s' }).iterationTimeoutMs, 0);
  assert.equal(resolveOptions({ name: '' }, {}, {}, { name: 'config-name' }).name, '');
  // an empty environment variable is "not set"
  assert.equal(resolveOptions({ llm: { model: 'm' } }, { LLMPERF_MODEL: '' }, {}).llm.model, 'm');
});

test('headers and tags merge key by key, higher layers winning', () => {
  const { options: o, sources } = resolveWithSources(
    { tags: { a: 'script', b: 'script' }, llm: { headers: { 'x-a': 'script' } } },
    {},
    { tags: { b: 'cli' }, headers: { 'x-b': 'cli' } },
    { tags: { a: 'config', c: 'config' }, llm: { headers: { 'x-a': 'config', 'x-c': 'config' } } },
  );
  assert.deepEqual(o.tags, { a: 'script', b: 'cli', c: 'config' });
  assert.deepEqual(o.llm.headers, { 'x-a': 'script', 'x-b': 'cli', 'x-c': 'config' });
  assert.equal(sources['tags.b'], 'cli');
  assert.equal(sources['llm.headers.x-c'], 'config');
});

test('scenarios: the highest layer with scenarios or shortcuts decides; shortcut values merge down the layers', () => {
  const withScenarios: ScriptOptions = { scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '10s' } } };
  // script scenarios win over config shortcuts
  let r = resolveWithSources(withScenarios, {}, {}, { vus: 9, duration: '1m' });
  assert.deepEqual(r.options.scenarios.map((s) => s.name), ['s']);
  assert.equal(r.sources.scenarios, 'script');
  // env shortcuts replace the script's scenarios (k6's K6_VUS)
  r = resolveWithSources(withScenarios, { LLMPERF_VUS: '5', LLMPERF_ITERATIONS: '20' }, {});
  assert.equal(r.options.scenarios[0]!.executor, 'shared-iterations');
  assert.equal((r.options.scenarios[0] as { vus: number }).vus, 5);
  assert.equal(r.sources.scenarios, 'env');
  // --vus on the CLI keeps the script's duration
  r = resolveWithSources({ vus: 2, duration: '30s' }, {}, { vus: 7 });
  assert.equal(r.options.scenarios[0]!.executor, 'constant-vus');
  assert.deepEqual([(r.options.scenarios[0] as { vus: number }).vus, (r.options.scenarios[0] as { durationMs: number }).durationMs], [7, 30_000]);
  assert.deepEqual([r.sources.vus, r.sources.duration], ['cli', 'script']);
  // --duration on the CLI drops the script's iterations (taken together from the highest layer)
  r = resolveWithSources({ vus: 2, iterations: 50 }, {}, { duration: '5s' });
  assert.equal(r.options.scenarios[0]!.executor, 'constant-vus');
  // config scenarios apply when nothing above sets any
  r = resolveWithSources({}, {}, {}, withScenarios);
  assert.equal(r.sources.scenarios, 'config');
  // nothing anywhere: 1 VU, 1 iteration
  r = resolveWithSources({}, {}, {});
  assert.equal(r.options.scenarios[0]!.executor, 'shared-iterations');
  assert.equal(r.sources.scenarios, 'default');
  // both in one layer is a mistake
  assert.throws(() => resolveWithSources({ ...withScenarios, vus: 2 }, {}, {}), /either scenarios or the shortcuts/);
  assert.throws(() => resolveWithSources({}, {}, {}, { ...withScenarios, vus: 2 }), /config: use either scenarios/);
});

test('thresholds, slo: the whole object from the highest layer that has one', () => {
  const r = resolveWithSources({ thresholds: { llm_ttft: ['p(95)<1'] } }, {}, {}, { thresholds: { llm_e2e: ['p(95)<1'] }, slo: { ttft: 100 } });
  assert.deepEqual(Object.keys(r.options.thresholds), ['llm_ttft']);
  assert.deepEqual(r.options.slo, { ttft: 100 });
  assert.deepEqual([r.sources.thresholds, r.sources.slo], ['script', 'config']);
});

test('LLMPERF_* variables: types checked, with the variable named in the error', () => {
  assert.deepEqual(envLayer({ LLMPERF_VUS: '4', LLMPERF_INCLUDE_USAGE: 'false', LLMPERF_SUMMARY_TREND_STATS: 'avg, p(99)', LLMPERF_API_KEY: 'k', OTHER: 'x' }), {
    vus: 4,
    summaryTrendStats: ['avg', 'p(99)'],
    llm: { apiKey: 'k', includeUsage: false },
  });
  assert.throws(() => envLayer({ LLMPERF_VUS: 'four' }), (e: unknown) => e instanceof ConfigError && /LLMPERF_VUS="four": must be a whole number/.test(e.message));
  assert.throws(() => envLayer({ LLMPERF_INCLUDE_USAGE: 'maybe' }), /LLMPERF_INCLUDE_USAGE="maybe": must be true or false/);
  assert.throws(() => resolveOptions({}, { LLMPERF_DURATION: '10 minutes' }, {}), /duration/);
  assert.throws(() => resolveOptions({}, { LLMPERF_URL: 'localhost:8000' }, {}), /invalid URL "localhost:8000" \(from env\)/);
});

test('readConfigFile: JSON of options; null means not set; mistakes name the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-config-'));
  const write = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  assert.deepEqual(readConfigFile(write('ok.json', '{"vus": 2, "llm": {"model": "m", "url": null}}')), { vus: 2, llm: { model: 'm' } });
  assert.throws(() => readConfigFile(path.join(dir, 'missing.json')), /--config .*missing\.json: cannot read it \(ENOENT\)/);
  assert.throws(() => readConfigFile(write('bad.json', '{"vus": 2,}')), /bad\.json: not valid JSON/);
  assert.throws(() => readConfigFile(write('arr.json', '[1]')), /arr\.json: must hold a JSON object of options/);
  assert.throws(() => readConfigFile(write('typo.json', '{"llm": {"modle": "m"}}')), /typo\.json\.llm: unknown option "modle".*model/);
});
