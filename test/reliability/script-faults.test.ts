// Script faults: stuck iterations, memory blow-ups and endless init code never take the run down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { ScriptError } from '../../runtime/errors.ts';
import { tempFiles } from '../helpers.ts';


/** VU 1 loops on the CPU after an await in its second iteration; the run must stop it and go on. */
const LOOP_AFTER_AWAIT = `import llm from 'llmperf/llm';
import { sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 4 } }, iterationTimeout: '1s' };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  if (__VU === 1 && __ITER === 1) { await sleep(0.01); for (;;) {} }
}
`;
/** The first iteration loops synchronously. */
const SYNC_LOOP = `export const options = { vus: 1, iterations: 3, iterationTimeout: '500ms' };
export default function () { if (__ITER === 0) for (;;) {} }
`;

test('an iteration stuck in a CPU loop after an await is stopped, reported, and the run goes on', async () => {
  const dir = tempFiles({
    's.ts': LOOP_AFTER_AWAIT,
  });
  const lines: string[] = [];
  const t0 = Date.now();
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), vusPerIsolate: 1, mockOptions: { ttft: '1ms', itl: '1ms' } });
  assert.ok(Date.now() - t0 < 20_000);
  assert.ok(lines.some((l) => /ran on the CPU for more than 1s/.test(l)), lines.join('\n'));
  // VU 2 was in another isolate and did all its iterations; VU 1 was restarted and finished its share
  assert.equal(out.summary.llm.requests, 8);
  assert.equal(out.summary.iterations.completed, 7);
  assert.equal(out.summary.scriptErrors.find((e) => e.position === 'iteration CPU timeout')?.count, 1);
});

test('a synchronous endless loop in an iteration is stopped by the iteration timeout', async () => {
  const dir = tempFiles({
    's.ts': SYNC_LOOP,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l) });
  assert.equal(out.summary.iterations.completed, 3);
  assert.equal(out.summary.scriptErrors.length, 1);
  assert.match(out.summary.scriptErrors[0]!.message, /timed out/i);
});

test('a VU that exceeds the isolate memory limit is reported and replaced; other VUs keep their records', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 3 } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  if (__VU === 2 && __ITER === 0) { const hog: number[][] = []; for (;;) hog.push(new Array(1_000_000).fill(__ITER)); }
}
`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), vusPerIsolate: 1, isolateMemoryMb: 64, mockOptions: { ttft: '1ms', itl: '1ms' } });
  assert.ok(lines.some((l) => /exceeded the isolate memory limit of 64 MB/.test(l)), lines.join('\n'));
  assert.equal(out.summary.llm.requests, 9, 'every request, including the hog VU\'s, was recorded');
  assert.equal(out.summary.iterations.completed, 8);
});

test('an endless loop in init code fails the run with a clear script error', async () => {
  const dir = tempFiles({ 's.ts': `let n = 0;\nwhile (true) { n++; }\nexport default function () {}\n` });
  await assert.rejects(run({ script: path.join(dir, 's.ts'), log: () => {}, initTimeoutMs: 500 }), (e: unknown) => {
    assert.ok(e instanceof ScriptError);
    assert.match(e.message, /init code did not finish within 0\.5s/);
    return true;
  });
});

test('an exception in init code is reported at its position (exit 107)', async () => {
  const dir = tempFiles({ 's.ts': `const cfg: { n?: number } = {};\nif (!cfg.n) throw new Error('missing n');\nexport default function () {}\n` });
  await assert.rejects(run({ script: path.join(dir, 's.ts'), log: () => {} }), (e: unknown) => {
    assert.ok(e instanceof ScriptError);
    assert.equal(e.exitCode, 107);
    assert.match(e.message, /s\.ts:2:19: error in init code: missing n/);
    return true;
  });
});

test('with --isolate-threads (VU code on isolate threads): a CPU loop after an await is stopped by the watchdog, a synchronous one by the call timeout', async () => {
  const dir = tempFiles({
    'a.ts': LOOP_AFTER_AWAIT,
    's.ts': SYNC_LOOP,
  });
  const lines: string[] = [];
  const a = await run({ script: path.join(dir, 'a.ts'), log: (l) => lines.push(l), vusPerIsolate: 1, isolateThreads: true, mockOptions: { ttft: '1ms', itl: '1ms' } });
  assert.ok(lines.some((l) => /ran on the CPU for more than 1s/.test(l)), lines.join('\n'));
  assert.equal(a.summary.llm.requests, 8);
  assert.equal(a.summary.iterations.completed, 7);
  const s = await run({ script: path.join(dir, 's.ts'), log: () => {}, isolateThreads: true });
  assert.equal(s.summary.iterations.completed, 3);
  assert.match(s.summary.scriptErrors[0]!.message, /timed out/i);
});

test('inline VU code that computes for tens of ms between awaits is reported (it delays the timing thread); light code is not', async () => {
  const dir = tempFiles({
    'heavy.ts': `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 6 };
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  // 200 ms of wall time: the turn's time spent waiting for a CPU is not counted as held, and on a
  // busy machine a loop gets only part of a core, so it must be well above the 20 ms mark
  const until = Date.now() + 200;
  let n = 0;
  while (Date.now() < until) n += res.text.length;
}
`,
    'light.ts': `import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = { vus: 2, iterations: 20 };
export default async function () {
  const res = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  check(res, { ok: (r) => r.ok });
}
`,
  });
  const mock = { ttft: '1ms', itl: '1ms' };
  const heavy: string[] = [];
  await run({ script: path.join(dir, 'heavy.ts'), log: (l) => heavy.push(l), mockOptions: mock });
  assert.ok(heavy.some((l) => /WARN VU code ran \d+ ms without yielding on the main thread/.test(l)), heavy.join('\n'));
  assert.ok(heavy.some((l) => /held the main thread for more than 20 ms in [2-6] turns/.test(l)), heavy.join('\n'));
  const light: string[] = [];
  await run({ script: path.join(dir, 'light.ts'), log: (l) => light.push(l), mockOptions: mock });
  assert.ok(!light.some((l) => /without yielding on the main thread|held the main thread/.test(l)), light.join('\n'));
  const threads: string[] = [];
  await run({ script: path.join(dir, 'heavy.ts'), log: (l) => threads.push(l), mockOptions: mock, isolateThreads: true });
  assert.ok(!threads.some((l) => /main thread/.test(l)), 'on isolate threads the main thread is not held: ' + threads.join('\n'));
});

test('inline VUs rebuilt after their isolate died never receive results of calls made by their old context', async () => {
  // VU 1 starts a 300 ms sleep it does not wait for (its context's call 1), then a slow llm call;
  // VU 2 shares its isolate and blows the memory limit at ~100 ms, so both are rebuilt. The
  // sleep's result (undefined) arrives while the new context's call 1 — an llm call — is pending:
  // it must be dropped, not taken as that call's answer.
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
import { check, sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 4, maxDuration: '20s' } } };
export default async function () {
  if (__VU === 1 && __ITER === 0) void sleep(0.3);
  if (__VU === 2 && __ITER === 0) { await sleep(0.1); const hog: number[][] = []; for (;;) hog.push(new Array(1_000_000).fill(__ITER)); }
  const res = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  check(res, { 'a real llm result': (r) => r !== undefined && r !== null && typeof r.status === 'number' && r.status === 200 });
}
`,
  });
  const lines: string[] = [];
  // one isolate for the probe VU (options, setup) and both VUs
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), vusPerIsolate: 4, isolateMemoryMb: 64, mockOptions: { ttft: '600ms', itl: '1ms' } });
  assert.ok(lines.some((l) => /exceeded the isolate memory limit of 64 MB/.test(l)), lines.join('\n'));
  const c = out.summary.root_group.checks.find((x) => x.name === 'a real llm result');
  assert.ok(c && c.passes >= 5, JSON.stringify(c));
  assert.equal(c!.fails, 0, lines.join('\n'));
  assert.deepEqual(out.summary.scriptErrors.filter((e) => !/memory/i.test(e.message + e.position)), [], JSON.stringify(out.summary.scriptErrors));
});
