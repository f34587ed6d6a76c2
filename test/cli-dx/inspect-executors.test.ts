// `llmperf inspect` describes every executor in one line, as k6 does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, runCli, tempFiles } from '../helpers.ts';

test('inspect --json: one k6-style line for each executor', async () => {
  const trace = path.join(ROOT, 'test/fixtures/traces/mooncake-sample.jsonl');
  const dir = tempFiles({
    's.ts': `export const options = { scenarios: {
  a: { executor: 'shared-iterations', vus: 4, iterations: 20, maxDuration: '30s' },
  b: { executor: 'per-vu-iterations', vus: 2, iterations: 5 },
  c: { executor: 'constant-vus', vus: 3, duration: '45s' },
  d: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '10s', target: 6 }, { duration: '5s', target: 0 }] },
  e: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', arrival: 'poisson', preAllocatedVUs: 20, maxVUs: 200 },
  f: { executor: 'ramping-arrival-rate', startRate: 1, stages: [{ duration: '20s', target: 10 }], preAllocatedVUs: 5, maxVUs: 50 },
  g: { executor: 'replay', trace: ${JSON.stringify(trace)}, timeScale: 1, preAllocatedVUs: 5, maxVUs: 20 },
} };
export default function () {}
`,
  });
  const r = await runCli(['inspect', path.join(dir, 's.ts'), '--json', '--allow-read', path.dirname(trace)], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { scenarios: Array<{ name: string; executor: string; description: string }> };
  const d = Object.fromEntries(j.scenarios.map((s) => [s.name, s.description]));
  assert.match(d.a!, /^20 iterations shared among 4 VUs \(maxDuration: 30s, gracefulStop: 30s\)$/);
  assert.match(d.b!, /^5 iterations for each of 2 VUs/);
  assert.match(d.c!, /^3 looping VUs for 45s/);
  assert.match(d.d!, /^Up to 6 looping VUs for 15s over 2 stages/);
  assert.match(d.e!, /^Poisson arrivals at 5 iterations\/s for 1m \(20-200 VUs/);
  assert.match(d.f!, /^Up to 10 iterations\/s for 20s over 1 stage \(5-50 VUs/);
  assert.match(d.g!, /^replay of 50 requests from mooncake-sample\.jsonl/);
  assert.equal(j.scenarios.length, 7);
});
