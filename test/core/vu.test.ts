// VUs: isolation between contexts; setup -> default -> teardown data flow; init-only APIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { run } from '../../runtime/api.ts';
import { runCli, tempFiles } from '../helpers.ts';

test('a global set by one VU is not seen by another VU', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
const seen = new Counter('seen_other');
const mine = new Counter('set_mine');
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 4, iterations: 3 } } };
export default function () {
  const g = globalThis as unknown as Record<string, number>;
  for (let v = 1; v <= 4; v++) if (v !== __VU && g['marker_' + v] !== undefined) seen.add(1);
  g['marker_' + __VU] = __ITER;
  mine.add(1);
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {} });
  assert.equal(out.summary.metrics.set_mine?.values.count, 12);
  assert.equal(out.summary.metrics.seen_other?.values.count ?? 0, 0);
});

test('setup() data reaches every VU and teardown(); __VU, __ITER and __ENV are set', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
import { check } from 'llmperf';
const ok = new Counter('data_ok');
export const options = { vus: 3, iterations: 9 };
export function setup() { return { token: 'abc', n: 42, env: __ENV.MY_VAR }; }
export default function (data: { token: string; n: number; env: string }) {
  check(data, { 'setup data': (d) => d.token === 'abc' && d.n === 42 && d.env === 'hello' });
  check(__VU, { 'vu id in 1..3': (v) => v >= 1 && v <= 3 });
  ok.add(1);
}
export function teardown(data: { n: number }) { console.log('teardown got ' + data.n); }
`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), env: { MY_VAR: 'hello' }, log: (l) => lines.push(l) });
  assert.equal(out.summary.metrics.data_ok?.values.count, 9);
  const checks = Object.fromEntries(out.summary.root_group.checks.map((c) => [c.name, c]));
  assert.equal(checks['setup data']?.passes, 9);
  assert.equal(checks['setup data']?.fails, 0);
  assert.equal(checks['vu id in 1..3']?.passes, 9);
  assert.ok(lines.some((l) => l.includes('teardown got 42')), lines.join('\n'));
});

test('open() reads files relative to the script in init code only', async () => {
  const dir = tempFiles({
    'prompts.txt': 'one\ntwo\nthree\n',
    's.ts': `import { open } from 'llmperf';
import { Counter } from 'llmperf/metrics';
const lines = open('./prompts.txt').trim().split('\\n');
const c = new Counter('lines_seen');
const late = new Counter('late_open_refused');
export const options = { vus: 1, iterations: 2 };
export default function () {
  c.add(lines.length);
  try { open('./prompts.txt'); } catch (e) { late.add(1); }
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {} });
  assert.equal(out.summary.metrics.lines_seen?.values.count, 6);
  assert.equal(out.summary.metrics.late_open_refused?.values.count, 2);
  void readFileSync;
});

test('the sandbox has no process, require or host objects', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
const leaks = new Counter('leaks');
export const options = { vus: 1, iterations: 1 };
export default async function () {
  const g = globalThis as unknown as Record<string, unknown>;
  if (typeof g.process !== 'undefined') leaks.add(1);
  if (typeof g.require !== 'undefined') leaks.add(1);
  if (typeof g.Buffer !== 'undefined') leaks.add(1);
  if (Object.keys(g).some((k) => k.startsWith('__llmperf_host_'))) leaks.add(1);
  leaks.add(0);
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {} });
  assert.equal(out.summary.metrics.leaks?.values.count, 0);
});

test('a scenario env adds to __ENV for its VUs only; exec.vu.iterationInScenario counts per VU', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
import exec from 'llmperf/execution';
const a = new Counter('saw_a');
const b = new Counter('saw_b');
const perVu = new Counter('per_vu_ok');
export const options = { scenarios: {
  one: { executor: 'per-vu-iterations', vus: 2, iterations: 3, env: { WHO: 'a' } },
  two: { executor: 'per-vu-iterations', vus: 1, iterations: 2, env: { WHO: 'b' } },
} };
export default function () {
  if (__ENV.WHO === 'a' && exec.scenario.name === 'one') a.add(1);
  if (__ENV.WHO === 'b' && exec.scenario.name === 'two') b.add(1);
  if (exec.vu.iterationInScenario === __ITER) perVu.add(1);
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {} });
  assert.equal(out.summary.metrics.saw_a?.values.count, 6);
  assert.equal(out.summary.metrics.saw_b?.values.count, 2);
  assert.equal(out.summary.metrics.per_vu_ok?.values.count, 8);
});

test('--vus-per-context: VUs sharing a context keep their own module state, __VU, __ITER, __ENV and init', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
import exec from 'llmperf/execution';
const ok = new Counter('own_state_ok');
const bad = new Counter('own_state_bad');
let mine = -1;          // module state: one copy per VU
let iterations = 0;
const myVu = __VU;      // init code sees this VU's id
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 12, iterations: 3, env: { TAG: 'x' } } } };
export default async function () {
  if (mine === -1) mine = __VU;
  const good = mine === __VU && myVu === __VU && exec.vu.idInTest === __VU && __ITER === iterations && __ENV.TAG === 'x';
  iterations++;
  (good ? ok : bad).add(1);
}
`,
  });
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, vusPerContext: 5 });
  assert.equal(out.summary.metrics.own_state_ok?.values.count, 36);
  assert.equal(out.summary.metrics.own_state_bad?.values.count ?? 0, 0);
});

test('inline VU code: VUs allocated mid-run into an isolate whose other VUs are busy (init loading a dataset) neither deadlock nor lose results', async () => {
  const dir = tempFiles({
    'prompts.txt': 'alpha\nbeta\ngamma\n',
    's.ts': `import llm from 'llmperf/llm';
import { check, sleep } from 'llmperf';
import { lineByLine } from 'llmperf/data';
const prompts = lineByLine('./prompts.txt');
export const options = {
  scenarios: { s: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '1500ms', preAllocatedVUs: 1, maxVUs: 12 } },
};
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: prompts.next() }], max_tokens: 4 });
  await sleep(0.01);
  check(res, { ok: (r) => r.ok && r.text.length > 0 });
}
`,
  });
  const t0 = Date.now();
  const out = await run({ script: path.join(dir, 's.ts'), log: () => {}, vusPerIsolate: 16, mockOptions: { ttft: '60ms', itl: '5ms' } });
  assert.ok(Date.now() - t0 < 20_000);
  assert.ok(out.summary.vusMax > 1, `VUs were allocated during the run (max ${out.summary.vusMax})`);
  const c = out.summary.root_group.checks.find((x) => x.name === 'ok');
  assert.ok(c && c.passes > 40 && c.fails === 0, JSON.stringify(c));
  assert.equal(out.summary.llm.requests, c!.passes);
});

test('iterations that never wait on I/O (a synchronous default function, sleep(0)) still let timers run: a timed scenario ends on time', async () => {
  const dir = tempFiles({
    'sync.ts': `import { check } from 'llmperf';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 8, duration: '1s' } } };
export default function () { check(1, { one: (v) => v === 1 }); }
`,
    'sleep0.ts': `import { check, sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 8, duration: '1s' } } };
export default async function () { await sleep(0); check(1, { one: (v) => v === 1 }); }
`,
  });
  for (const f of ['sync.ts', 'sleep0.ts']) {
    // a child process: a starved event loop would also starve this test's own timers
    const t0 = Date.now();
    const r = await runCli(['run', path.join(dir, f), '--quiet', '--no-test-connection', '--out-dir', path.join(dir, `out-${f}`)], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /\d+ complete/);
    assert.ok(Date.now() - t0 < 25_000);
  }
});

test('async setup() and teardown() may call the llm and sleep, in both VU modes', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
import { check, sleep } from 'llmperf';
export const options = { vus: 2, iterations: 4 };
export async function setup() {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'setup' }], max_tokens: 3 });
  await sleep(0.02);
  return { status: r.status, words: r.outputTokens };
}
export default function (data: { status: number; words: number }) {
  check(data, { 'setup saw the llm': (d) => d.status === 200 && d.words === 3 });
}
export async function teardown(data: { status: number }) {
  const r = await llm.chat({ messages: [{ role: 'user', content: 'teardown' }], max_tokens: 2 });
  console.log('teardown ' + data.status + ' ' + r.status);
}
`,
  });
  for (const isolateThreads of [false, true]) {
    const lines: string[] = [];
    const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), isolateThreads, mockOptions: { ttft: '5ms', itl: '1ms' } });
    const c = out.summary.root_group.checks.find((x) => x.name === 'setup saw the llm');
    assert.equal(c?.passes, 4, `threads=${isolateThreads}: ${JSON.stringify(c)}`);
    assert.ok(lines.some((l) => l.includes('teardown 200 200')), lines.join('\n'));
    assert.equal(out.summary.llm.requests, 2, 'the setup and teardown requests are measured like any other');
  }
});
