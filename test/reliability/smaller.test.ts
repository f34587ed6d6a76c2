/**
 * The smaller cases of issue "Reliability and safety, round two" (item 11). Naming the VU at fault
 * after an isolate death and the iteration counts after a restart are in write-failures.test.ts
 * (and script-faults.test.ts); this file holds the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { MAX_LINE_CHARS, SseParser } from '../../runtime/llm/sse.ts';
import { runCli, tempFiles } from '../helpers.ts';

test('--mock fault= given twice keeps both faults', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 60 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 }); }
`,
  });
  const r = await runCli(['run', 's.ts', '--no-save', '--no-thresholds', '--mock', 'seed=7', '--mock', 'fault=http_500=0.4', '--mock', 'fault=http_429=0.4'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /HTTP_5XX\s+\d+/, 'the first fault is injected');
  assert.match(r.stdout, /HTTP_429\s+\d+/, 'the second fault is injected');
});

for (const isolateThreads of [false, true]) {
  test(`a CPU loop stopped by the iteration timeout names the VU that looped${isolateThreads ? ' (--isolate-threads)' : ''}, not the first to notice`, async () => {
    // VUs 1 and 3 share VU 2's isolate and wait on requests while it loops: they are rebuilt too,
    // but the report names VU 2 (regression: with --isolate-threads it named VU 1 or 3)
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
import { sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 2 } }, iterationTimeout: '1s' };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 2 });
  if (__VU === 2 && __ITER === 0) { await sleep(0.01); for (;;) {} }
}
`,
    });
    const lines: string[] = [];
    const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), isolateThreads, vusPerIsolate: 4, mockOptions: { ttft: '50ms', itl: '1ms' } });
    const report = lines.find((l) => /ran on the CPU for more than 1s/.test(l));
    assert.ok(report, lines.join('\n'));
    assert.match(report, /\(scenario s, VU 2\)/);
    assert.match(report, /\(3 VUs restarted in a new isolate; the run goes on\)/);
    const it = out.summary.iterations;
    assert.equal(it.completed + it.interrupted, 6, JSON.stringify(it));
  });
}

// A response line that never ends used to be carried over chunk after chunk (`pending + chunk`): 34 MB
// received without a newline held 559 MB. The parser keeps a long open line in pieces and gives up
// past MAX_LINE_CHARS, dropping what it held (end to end: test/llm/conformance.test.ts case 6.2).
test('an SSE line with no newline does not grow without bound: it fails the stream past a bounded length', () => {
  const errors: string[] = [];
  const p = new SseParser({ onEvent: () => undefined, onError: (m) => errors.push(m) });
  const chunk = 'x'.repeat(64 * 1024);
  p.feed('data: ');
  let fed = 0;
  for (let i = 0; i < 2 * (MAX_LINE_CHARS / chunk.length) && errors.length === 0; i++) {
    p.feed(chunk); // no newline
    fed += chunk.length;
  }
  assert.equal(errors.length, 1, 'one error once the line passed the bound');
  assert.match(errors[0]!, /line/i);
  assert.ok(fed <= MAX_LINE_CHARS + chunk.length, `the error came at the bound (${fed} characters fed)`);
  const held = p as unknown as { pending: string; parts: string[] | null };
  assert.equal(held.pending.length + (held.parts ?? []).join('').length, 0, 'nothing of the line is kept after the error');
  p.feed(chunk + '\n\n');
  assert.equal(errors.length, 1, 'the rest of the stream is ignored');
});
