// Stops that stop (issue #20, item 1): gracefulStop and the second signal end sleeps, pending llm
// calls and awaits that never settle; every stop path writes the summary, the store and the report.
// Each case hung or overran before (a 3 s run alive past 100 s; sleep(8) ignoring gracefulStop: 1s;
// a second signal leaving without summary.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { runCli, tempFiles } from '../helpers.ts';

const quiet = { log: () => {}, systemEnv: false, mockOptions: { ttft: '5ms', itl: '1ms', outputTokens: 4 } };

test('an iteration awaiting a promise that never settles is abandoned after gracefulStop: the run ends, the iteration counts as interrupted', async () => {
  const src = `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '1s', gracefulStop: '500ms' } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 });
  if (__VU === 1) await new Promise(() => {});
}`;
  const t0 = performance.now();
  const out = await run({ script: { source: src }, ...quiet });
  const wall = performance.now() - t0;
  assert.ok(wall < 20_000, `the run took ${wall} ms`);
  assert.equal(out.exitCode, 0);
  assert.equal(out.summary.state.stopReason, 'completed');
  assert.ok(out.summary.iterations.interrupted >= 1, JSON.stringify(out.summary.iterations));
  assert.ok(out.summary.iterations.completed > 3, 'the other VUs kept iterating');
});

test('sleep() ends when gracefulStop is over (sleep(8) with gracefulStop: 1s)', async () => {
  const src = `import { sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '500ms', gracefulStop: '1s' } } };
export default async function () { await sleep(8); }`;
  const t0 = performance.now();
  const out = await run({ script: { source: src }, ...quiet });
  const wall = performance.now() - t0;
  assert.ok(wall < 6000, `sleep(8) held the run for ${wall} ms`);
  assert.equal(out.summary.iterations.interrupted, 1);
});

test('a VU that ignores the stop (loops on llm calls that come back cancelled) is abandoned too', async () => {
  const src = `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '500ms', gracefulStop: '300ms' } } };
export default async function () {
  for (;;) { try { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 }); } catch (e) {} }
}`;
  const t0 = performance.now();
  const out = await run({ script: { source: src }, ...quiet });
  assert.ok(performance.now() - t0 < 15_000);
  assert.equal(out.summary.iterations.interrupted, 2);
});

const HANG = `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '60s', gracefulStop: 'GRACE' } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 });
  if (__VU === 1 && __ITER >= 2) await new Promise(() => {});
}`;

async function signalled(grace: string, signals: number): Promise<{ code: number | null; wall: number; out: string; stderr: string }> {
  const dir = tempFiles({ 'hang.ts': HANG.replace('GRACE', grace) });
  let pid = 0;
  const t0 = performance.now();
  const p = runCli(['run', 'hang.ts', '--mock', 'ttft=5ms', '--mock', 'itl=1ms', '--mock', 'output-tokens=4', '--out-dir', 'out', '-q'], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 4000));
  for (let i = 0; i < signals; i++) {
    process.kill(pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
  }
  const r = await p;
  return { code: r.code, wall: performance.now() - t0, out: path.join(dir, 'out'), stderr: r.stderr };
}

test('the first SIGTERM ends a run with a never-settling await after gracefulStop, with its results', async () => {
  const r = await signalled('1s', 1);
  assert.equal(r.code, 105, r.stderr);
  assert.ok(r.wall < 20_000, `${r.wall} ms`);
  const s = JSON.parse(readFileSync(path.join(r.out, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(s.state.stopReason, 'interrupted');
  assert.ok(s.iterations.interrupted >= 1);
  assert.ok(existsSync(path.join(r.out, 'report.html')) && existsSync(path.join(r.out, 'requests.sqlite')));
});

test('a second SIGTERM stops at once and still writes summary.json, the store and the report', async () => {
  const r = await signalled('60s', 2);
  assert.equal(r.code, 105, r.stderr);
  assert.ok(r.wall < 20_000, `${r.wall} ms: the second signal did not stop the run`);
  assert.doesNotMatch(r.stderr, /exiting without writing the summary/);
  const s = JSON.parse(readFileSync(path.join(r.out, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(s.state.stopReason, 'interrupted');
  assert.ok(existsSync(path.join(r.out, 'report.html')) && existsSync(path.join(r.out, 'metrics.hdr')));
  const run = JSON.parse(readFileSync(path.join(r.out, 'run.json'), 'utf8')) as { exitCode: number };
  assert.equal(run.exitCode, 105);
});

test('iterations stopped by an isolate restart count as interrupted: completed + interrupted = started', async () => {
  const src = `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 4, iterations: 3 } }, iterationTimeout: '1s' };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 });
  if (__VU === 1 && __ITER === 1) { const t = Date.now(); while (Date.now() - t < 3000) {} }
}`;
  const out = await run({ script: { source: src }, ...quiet });
  const it = out.summary.iterations;
  assert.equal(it.completed + it.interrupted, 12, JSON.stringify(it));
  assert.ok(it.interrupted >= 1);
});
