// The public types are hand-written; these checks keep them from drifting from the runtime's own types
// (fixtures/drift.mts: metric names by type, executor names, LlmResult, the summary, run() options), and
// from the fields the executors and the options resolver accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers.ts';
import { checkFiles } from './tsc.ts';
import { parseScenario } from '../../runtime/executors/index.ts';
import { resolveOptions } from '../../runtime/options/resolve.ts';
import type {
  ConstantArrivalRateScenario, ConstantVusScenario, Options, PerVuIterationsScenario, RampingArrivalRateScenario, RampingVusScenario, ReplayScenario, SharedIterationsScenario,
} from '../../types/options.d.ts';

test('types/*.d.ts agree with the runtime types (fixtures/drift.mts compiles)', () => {
  const fixture = path.join(ROOT, 'test', 'types', 'fixtures', 'drift.mts');
  const opts = (JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
  const r = checkFiles([fixture], opts, ROOT);
  // other files' errors belong to their own suites; the drift checks are in the fixture
  assert.deepEqual(r.errors.filter((e) => e.startsWith(fixture)), []);
});

const common = { startTime: '1s', gracefulStop: '5s', exec: 'default', env: { A: '1' }, tags: { t: 'x' } };
const everyField = {
  'shared-iterations': { ...common, executor: 'shared-iterations', vus: 2, iterations: 4, maxDuration: '1m' } satisfies Required<SharedIterationsScenario>,
  'per-vu-iterations': { ...common, executor: 'per-vu-iterations', vus: 2, iterations: 4, maxDuration: '1m' } satisfies Required<PerVuIterationsScenario>,
  'constant-vus': { ...common, executor: 'constant-vus', vus: 2, duration: '1m' } satisfies Required<ConstantVusScenario>,
  'ramping-vus': { ...common, executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '10s', target: 3 }], gracefulRampDown: '5s' } satisfies Required<RampingVusScenario>,
  'constant-arrival-rate': {
    ...common, executor: 'constant-arrival-rate', rate: 5, timeUnit: '1s', duration: '1m', iterations: 100, preAllocatedVUs: 2, maxVUs: 5, arrival: 'poisson', seed: 3, queue: true,
  } satisfies Required<ConstantArrivalRateScenario>,
  'ramping-arrival-rate': {
    ...common, executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '1s', stages: [{ duration: '10s', target: 5 }], preAllocatedVUs: 2, maxVUs: 5, arrival: { gamma: 0.5 }, seed: 3, queue: false,
  } satisfies Required<RampingArrivalRateScenario>,
  replay: { ...common, executor: 'replay', trace: 'trace.jsonl', timeScale: 0.5, duration: '1m', skip: 1, iterations: 10, preAllocatedVUs: 2, maxVUs: 5 } satisfies Required<ReplayScenario>,
};

test('every field the public scenario types declare is accepted by its executor', () => {
  for (const [executor, raw] of Object.entries(everyField)) {
    const c = parseScenario('s', raw);
    assert.equal(c.executor, executor);
  }
});

test('every top-level option the public Options type declares is known to the resolver', () => {
  const full: Required<Omit<Options, 'scenarios' | 'vus' | 'iterations' | 'duration' | 'stages'>> = {
    thresholds: { llm_ttft: ['p(95)<500'] },
    llm: { url: 'http://127.0.0.1:1/v1', model: 'm', apiKey: 'k', headers: { a: 'b' }, api: 'openai', includeUsage: false, timeout: '1m', connectTimeout: '1s', readTimeout: '2s', tokenizer: 'tiktoken:o200k_base' },
    slo: { ttft: 1, tpot: 2, e2e: 3, itl: 4 },
    summaryTrendStats: ['avg', 'p(99.9)'],
    summaryTimeUnit: 'ms',
    setupTimeout: '1s',
    teardownTimeout: '1s',
    iterationTimeout: '1s',
    tags: { a: 'b' },
    name: 'n',
    sweep: { concurrency: [1, 2], levelDuration: '10s' },
    insecureSkipTLSVerify: true,
  };
  const r = resolveOptions({ ...full, vus: 1, iterations: 2 } as never, {}, {});
  assert.equal(r.llm.tokenizer, 'tiktoken:o200k_base');
  assert.equal(r.iterationTimeoutMs, 1000);
  assert.equal(r.insecureSkipTLSVerify, true);
  for (const shortcut of [{ duration: '1s' }, { stages: [{ duration: '1s', target: 1 }] }]) assert.ok(resolveOptions(shortcut, {}, {}).scenarios.length === 1);
  assert.equal(resolveOptions({ scenarios: { s: everyField['constant-vus'] } } as never, {}, {}).scenarios[0]!.name, 's');
});
