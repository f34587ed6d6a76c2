// Execution segments: integer shares add up, arrivals are striped, the union is the whole schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { applySegment, parseScenario, planScenario } from '../../runtime/executors/index.ts';
import { ownedCount, ownedOffsets, ownsArrival, parseSegment, scaleInt } from '../../runtime/executors/segment.ts';
import { constantOffsets } from '../../runtime/executors/constant-arrival-rate.ts';
import type { ConstantArrivalRateConfig } from '../../runtime/executors/types.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { run } from '../../runtime/api.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { tempFiles } from '../helpers.ts';

const SEQ4 = '0,1/4,2/4,3/4,1';
const segs4 = ['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1'].map((s) => parseSegment(s, SEQ4));

test('segment syntax: fractions, percentages, sequence membership, clear errors', () => {
  const s = parseSegment('25%:50%', SEQ4);
  assert.equal(s.text, '1/4:1/2');
  assert.equal(s.index, 1);
  assert.equal(s.period, 4);
  assert.equal(parseSegment('1/3').text, '0:1/3');
  assert.throws(() => parseSegment('2/4:1/4'), (e: unknown) => e instanceof ConfigError && /start must be below the end/.test(e.message));
  assert.throws(() => parseSegment('1/3:2/3', SEQ4), /not one of the segments/);
  assert.throws(() => parseSegment('0:1/2', '0,1/2'), /must start at 0 and end at 1/);
  assert.throws(() => parseSegment('0:abc'), /not a fraction between 0 and 1/);
});

test('integer shares add up to the whole for any quantity', () => {
  const uneven = ['0:1/3', '1/3:1/2', '1/2:1'].map((s) => parseSegment(s, '0,1/3,1/2,1'));
  for (let q = 0; q <= 50; q++) {
    assert.equal(segs4.reduce((a, s) => a + scaleInt(q, s), 0), q);
    assert.equal(uneven.reduce((a, s) => a + scaleInt(q, s), 0), q);
  }
});

test('arrivals are owned by exactly one segment, evenly striped', () => {
  const uneven = ['0:1/3', '1/3:1/2', '1/2:1'].map((s) => parseSegment(s, '0,1/3,1/2,1'));
  for (const set of [segs4, uneven]) {
    for (let i = 0; i < 500; i++) assert.equal(set.filter((s) => ownsArrival(i, s)).length, 1, `arrival ${i}`);
    const counts = set.map((s) => ownedCount(600, s));
    assert.equal(counts.reduce((a, b) => a + b, 0), 600);
  }
  assert.deepEqual(segs4.map((s) => ownedCount(100, s)), [25, 25, 25, 25]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => segs4.findIndex((s) => ownsArrival(i, s))), [0, 1, 2, 3, 0, 1, 2, 3]);
});

test('applySegment scales each executor', () => {
  const sc = (raw: Record<string, unknown>) => parseScenario('s', raw);
  const shared = segs4.map((g) => applySegment(sc({ executor: 'shared-iterations', vus: 6, iterations: 10 }), g));
  assert.deepEqual(shared.map((c) => (c as { iterations: number }).iterations), [2, 3, 2, 3]);
  const ramp = segs4.map((g) => applySegment(sc({ executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '1s', target: 9 }] }), g));
  assert.equal(ramp.reduce((a, c) => a + (c as { stages: Array<{ target: number }> }).stages[0]!.target, 0), 9);
  const rate = applySegment(sc({ executor: 'constant-arrival-rate', rate: 10, duration: '10s', preAllocatedVUs: 2 }), segs4[0]);
  assert.equal((rate as { preAllocatedVUs: number }).preAllocatedVUs, 1);
  assert.equal(planScenario(rate).iterations, 25);
  assert.match(planScenario(rate).description, /\[segment 0:1\/4\]$/);
});

test('4 instances with segments against one mock: same totals, and the union of planned starts is the single-instance schedule', async () => {
  const mock = await startMockServer({ ttftMs: 2, itlMs: 1, outputTokens: 3 });
  const open = { executor: 'constant-arrival-rate', rate: 40, duration: '1s', arrival: 'poisson', seed: 3, preAllocatedVUs: 8 };
  try {
    const dir = tempFiles({
      's.ts': `import llm from 'llmperf/llm';
export const options = { scenarios: {
  open: ${JSON.stringify(open)},
  closed: { executor: 'shared-iterations', vus: 3, iterations: 14 },
} };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 3 }); }
`,
    });
    const one = async (segment?: string) => {
      const recs: RequestRecord[] = [];
      const out = await run({
        script: path.join(dir, 's.ts'),
        overrides: { url: mock.url },
        log: () => {},
        listeners: [{ onRecord: (r) => recs.push(r) }],
        ...(segment ? { segment: { segment, sequence: SEQ4 } } : {}),
      });
      return { out, planned: recs.filter((r) => r.scenario === 'open').map((r) => r.plannedStart!) };
    };
    const segments = ['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1'];
    const whole = await one();
    const parts = await Promise.all(segments.map((s) => one(s)));
    // every arrival and iteration is accounted for whatever the scheduler did: started (completed or
    // interrupted) or dropped (no VU free, or its time passed before a busy loop reached it)
    const accounted = (o: (typeof parts)[0]) => o.out.summary.iterations.completed + o.out.summary.iterations.interrupted + o.out.summary.iterations.dropped;
    const schedule = [...constantOffsets(parseScenario('open', open) as ConstantArrivalRateConfig)].filter((t) => t < 1000);
    assert.equal(accounted(whole), schedule.length + 14);
    assert.equal(parts.reduce((a, p) => a + accounted(p), 0), accounted(whole));
    for (const p of [whole, ...parts]) assert.equal(p.out.summary.llm.requests, p.out.summary.iterations.completed + p.out.summary.iterations.interrupted);
    // the planned starts: each instance's are its own stripe of the one schedule, and the stripes
    // together are the whole schedule (pure: no timing involved)
    const owned = segments.map((s) => [...ownedOffsets(schedule, parseSegment(s, SEQ4))]);
    assert.deepEqual(owned.flat().sort((a, b) => a - b), schedule);
    parts.forEach((p, i) => {
      for (const t of p.planned) assert.ok(owned[i]!.some((o) => Math.abs(o - t) < 1e-6), `segment ${segments[i]}: planned start ${t} is not its own`);
    });
    for (const t of whole.planned) assert.ok(schedule.some((o) => Math.abs(o - t) < 1e-6), `planned start ${t} is in the schedule`);
  } finally {
    await mock.close();
  }
});

test('--setup-once: segment 0 runs setup() and writes its data; the others read it', async () => {
  const dir = tempFiles({
    's.ts': `import { Counter } from 'llmperf/metrics';
const got = new Counter('got_token');
export const options = { vus: 1, iterations: 2 };
export function setup() { return { token: 'from-setup-' + __ENV.WHO }; }
export default function (d: { token: string }) { if (d.token === 'from-setup-first') got.add(1); }
`,
  });
  const file = path.join(dir, 'setup.json');
  const later = run({ script: path.join(dir, 's.ts'), env: { WHO: 'second' }, log: () => {}, segment: { segment: '1/2:1', sequence: '0,1/2,1' }, setupOnce: true, setupDataFile: file });
  await new Promise((r) => setTimeout(r, 300));
  const first = await run({ script: path.join(dir, 's.ts'), env: { WHO: 'first' }, log: () => {}, segment: { segment: '0:1/2', sequence: '0,1/2,1' }, setupOnce: true, setupDataFile: file });
  const second = await later;
  assert.equal(first.summary.metrics.got_token?.values.count, 1);
  assert.equal(second.summary.metrics.got_token?.values.count, 1, 'the second instance used the first one\'s setup data');
});
