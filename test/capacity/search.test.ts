// The capacity search (bracket, bisect, confirm) against synthetic servers, the level shapes, and
// GuideLLM's automatic rates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchCapacity } from '../../runtime/sweep/search.ts';
import { autoRates, levelScenario, parseLevelList, roundRate } from '../../runtime/sweep/levels.ts';
import { parseScenario, planScenario } from '../../runtime/executors/index.ts';

const shape = { durationMs: 2000, maxVUs: 500, gracefulStopMs: 5000 };

test('concurrency: doubling brackets the knee, bisection finds it exactly, the answer is repeated', async () => {
  for (const knee of [1, 7, 8, 9, 37, 100]) {
    const seen: Array<[string, number]> = [];
    const r = await searchCapacity({ over: 'concurrency', min: 1, max: 256, precision: 1 }, async (v, phase) => {
      seen.push([phase, v]);
      return { ok: v <= knee };
    });
    assert.equal(r.capacity, knee, `knee ${knee}: ${JSON.stringify(seen)}`);
    assert.equal(r.confirmed, true);
    assert.equal(r.firstFailure?.value, knee + 1);
    assert.deepEqual(seen.at(-1), ['confirm', knee]);
    assert.deepEqual(seen.filter(([p]) => p === 'bracket').map(([, v]) => v).slice(0, 3), [1, 2, 4].slice(0, seen.filter(([p]) => p === 'bracket').length));
    assert.ok(seen.length <= 2 * Math.log2(256) + 2, `${seen.length} levels for knee ${knee}`);
  }
});

test('even the minimum fails: no capacity', async () => {
  const r = await searchCapacity({ over: 'concurrency', min: 2, max: 64, precision: 1 }, async () => ({ ok: false }));
  assert.equal(r.capacity, null);
  assert.equal(r.steps.length, 1);
  assert.equal(r.firstFailure?.value, 2);
});

test('max itself passes: the capacity is at least max', async () => {
  const r = await searchCapacity({ over: 'concurrency', min: 1, max: 20, precision: 1 }, async () => ({ ok: true }));
  assert.deepEqual([r.capacity, r.atMax, r.confirmed], [20, true, true]);
  assert.deepEqual(r.steps.map((s) => s.value), [1, 2, 4, 8, 16, 20, 20]);
});

test('a failed repeat lowers the answer to the next passing level and confirms that', async () => {
  let calls8 = 0;
  const r = await searchCapacity({ over: 'concurrency', min: 1, max: 16, precision: 1 }, async (v) => {
    if (v === 8) return { ok: ++calls8 === 1 }; // passes once, fails its repeat (a noisy level)
    return { ok: v < 8 };
  });
  assert.equal(r.capacity, 7);
  assert.equal(r.confirmed, true);
  assert.equal(r.firstFailure?.value, 8);
});

test('rate: bisection to a relative precision, rates rounded to 3 significant digits', async () => {
  const knee = 13.7;
  const r = await searchCapacity({ over: 'rate', min: 1, max: 100, precision: 0.05 }, async (v) => ({ ok: v <= knee }));
  assert.ok(r.capacity !== null && r.capacity <= knee && r.capacity >= knee * 0.95, `capacity ${r.capacity}`);
  assert.ok(r.firstFailure && (r.firstFailure.value - r.capacity!) / r.capacity! <= 0.05 + 1e-9);
  for (const s of r.steps) assert.equal(s.value, roundRate(s.value));
});

test('stopped (SIGINT) ends the search with what it has', async () => {
  let n = 0;
  const r = await searchCapacity({ over: 'concurrency', min: 1, max: 64, precision: 1, stopped: () => n >= 2 }, async (v) => (n++, { ok: v <= 10 }));
  assert.equal(r.stopped, true);
  assert.equal(r.capacity, 2);
  assert.equal(r.confirmed, false);
});

test('levels: concurrency runs constant-vus (or shared-iterations), rate runs Poisson constant-arrival-rate', () => {
  const c = parseScenario('level', levelScenario({ kind: 'concurrency', value: 8 }, shape).level);
  assert.equal(c.executor, 'constant-vus');
  assert.match(planScenario(c).description, /^8 looping VUs for 2s/);
  const s = parseScenario('level', levelScenario({ kind: 'concurrency', value: 4 }, { ...shape, requestsPerLevel: 40 }).level);
  assert.equal(s.executor, 'shared-iterations');
  assert.equal(planScenario(s).iterations, 40);
  const r = parseScenario('level', levelScenario({ kind: 'rate', value: 12.5 }, shape).level);
  assert.equal(r.executor, 'constant-arrival-rate');
  assert.ok(r.executor === 'constant-arrival-rate' && r.arrival === 'poisson' && r.rate === 12.5 && r.maxVUs === 500 && r.preAllocatedVUs === 25);
  assert.throws(() => parseLevelList('1,2,x', 'concurrency', '--concurrency'), /--concurrency: "x" is not a whole number/);
  assert.throws(() => parseLevelList('1,0', 'rate', '--rate'), /"0" is not a rate > 0/);
  assert.deepEqual(parseLevelList([1, 2.5], 'rate', 'options.sweep.rate').map((l) => l.value), [1, 2.5]);
});

test("autoRates: GuideLLM's sweep, linspace(sync, saturated, total - 1) without the first", () => {
  assert.deepEqual(autoRates(2, 20, 10), [4.25, 6.5, 8.75, 11, 13.3, 15.5, 17.8, 20]); // 10 levels: sync, saturation and 8 rates
  assert.deepEqual(autoRates(1, 4, 4), [2.5, 4]);
  assert.deepEqual(autoRates(1, 4, 2), []);
  assert.deepEqual(autoRates(0, 4, 5), []);
});
