// The client says when it falls behind the arrival schedule (lag or drops), and stays quiet otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { LagMonitor } from '../../runtime/engine/lag-monitor.ts';
import { run } from '../../runtime/api.ts';
import { tempFiles } from '../helpers.ts';

test('LagMonitor: quiet when on time, one warning per 10 s when behind, a closing line', () => {
  const lines: string[] = [];
  const m = new LagMonitor((l) => lines.push(l), 10);
  for (let i = 0; i < 100; i++) m.lag(0.5);
  m.check(2000);
  assert.deepEqual(lines, []);
  assert.equal(m.final(), undefined);
  for (let i = 0; i < 100; i++) m.lag(i < 90 ? 1 : 40);
  m.check(4000);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /falling behind the arrival schedule: llm_schedule_lag p99 40\.0 ms/);
  m.drop(3);
  m.check(6000); // within 10 s of the last warning: counted, not printed
  assert.equal(lines.length, 1);
  m.drop(1);
  m.check(15_000);
  assert.equal(lines.length, 2);
  assert.match(lines[1]!, /1 iteration dropped for lack of a free VU/);
  assert.match(m.final()!, /fell behind its arrival schedule in 3 checks \(worst llm_schedule_lag p99 40\.0 ms\)/);
});

test('an open-loop run without enough VUs warns that the client fell behind', async () => {
  const dir = tempFiles({
    's.ts': `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 40, duration: '2500ms', preAllocatedVUs: 1, maxVUs: 1 } } };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 }); }
`,
  });
  const lines: string[] = [];
  const out = await run({ script: path.join(dir, 's.ts'), log: (l) => lines.push(l), mockOptions: { ttft: '100ms', itl: '5ms' } });
  assert.ok(out.summary.iterations.dropped > 0);
  assert.ok(lines.some((l) => /WARN the client is falling behind the arrival schedule: .*dropped/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /WARN the client fell behind its arrival schedule/.test(l)));
  assert.ok(!lines.some((l) => /MaxListenersExceeded/.test(l)));
});
