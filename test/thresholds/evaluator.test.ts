import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { initHistograms } from '../../runtime/metrics/hdr.ts';
import { Registry } from '../../runtime/metrics/registry.ts';
import { compileThresholds } from '../../runtime/thresholds/config.ts';
import { ThresholdEvaluator, type ThresholdResult } from '../../runtime/thresholds/evaluator.ts';

before(async () => {
  await initHistograms();
});

const T0 = 1_700_000_000_000;

function setup(thresholds: Record<string, unknown>): { r: Registry; ev: ThresholdEvaluator } {
  const r = new Registry();
  r.define('queue_depth', 'gauge');
  return { r, ev: new ThresholdEvaluator(compileThresholds(thresholds, r)) };
}

function bySource(results: ThresholdResult[]): Record<string, ThresholdResult> {
  return Object.fromEntries(results.map((x) => [`${x.metric} ${x.source}`, x]));
}

/** Relative closeness: HDR percentiles are within 0.1 %. */
function near(actual: number, expected: number, rel = 0.002): void {
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * rel, `${actual} is not within ${rel * 100}% of ${expected}`);
}

describe('evaluate: each metric type with real samples', () => {
  test('trend: avg, min, max, med, p(N), count, sum', () => {
    const { r, ev } = setup({
      llm_ttft: ['avg<60', 'avg<40', 'min>=1', 'max<=100', 'max<100', 'med<=51', 'p(95)<100', 'p(95)<90', 'p(99.9)<=100', 'count==100', 'sum>5000', 'sum===5050', 'count!=100'],
    });
    for (let i = 1; i <= 100; i++) r.add('llm_ttft', i, {}, T0);
    const res = bySource(ev.evaluate(10_000));
    const ok = (s: string): boolean => res[`llm_ttft ${s}`]!.ok;
    assert.equal(ok('avg<60'), true);
    assert.equal(ok('avg<40'), false);
    assert.equal(res['llm_ttft avg<60']!.observed, 50.5);
    assert.equal(ok('min>=1'), true);
    assert.equal(ok('max<=100'), true);
    assert.equal(ok('max<100'), false);
    assert.equal(ok('med<=51'), true);
    assert.equal(ok('p(95)<100'), true);
    assert.equal(ok('p(95)<90'), false);
    near(res['llm_ttft p(95)<90']!.observed, 95);
    assert.equal(res['llm_ttft p(95)<90']!.aggregation, 'p(95)');
    assert.equal(ok('p(99.9)<=100'), true);
    assert.equal(ok('count==100'), true);
    assert.equal(ok('sum>5000'), true);
    assert.equal(ok('sum===5050'), true);
    assert.equal(ok('count!=100'), false);
    assert.equal(res['llm_ttft count==100']!.samples, 100);
    assert.equal(ev.anyFailed(), true);
  });

  test('counter: count, and rate divided by the elapsed time', () => {
    const { r, ev } = setup({ llm_reqs: ['count>=30', 'rate>=3', 'rate<2'] });
    for (let i = 0; i < 10; i++) r.add('llm_reqs', 3, {}, T0);
    let res = bySource(ev.evaluate(10_000));
    assert.equal(res['llm_reqs count>=30']!.observed, 30);
    assert.equal(res['llm_reqs count>=30']!.ok, true);
    assert.equal(res['llm_reqs rate>=3']!.observed, 3);
    assert.equal(res['llm_reqs rate>=3']!.ok, true);
    assert.equal(res['llm_reqs rate<2']!.ok, false);
    // Same samples, twice the time: half the rate.
    res = bySource(ev.evaluate(20_000));
    assert.equal(res['llm_reqs rate>=3']!.observed, 1.5);
    assert.equal(res['llm_reqs rate>=3']!.ok, false);
    assert.equal(res['llm_reqs rate<2']!.ok, true);
  });

  test('gauge: value is the last sample; min and max', () => {
    const { r, ev } = setup({ queue_depth: ['value==2', 'min>=1', 'max<5', 'max<9'] });
    for (const [i, v] of [3, 1, 7, 2].entries()) r.add('queue_depth', v, {}, T0 + i);
    const res = bySource(ev.evaluate(1000));
    assert.equal(res['queue_depth value==2']!.ok, true);
    assert.equal(res['queue_depth min>=1']!.ok, true);
    assert.equal(res['queue_depth max<5']!.ok, false);
    assert.equal(res['queue_depth max<5']!.observed, 7);
    assert.equal(res['queue_depth max<9']!.ok, true);
  });

  test('rate: rate is the fraction of non-zero samples; count is the number of non-zero samples', () => {
    const { r, ev } = setup({ llm_req_failed: ['rate<0.01', 'rate<=0.25', 'count<2'] });
    for (const v of [0, 1, 0, 0]) r.add('llm_req_failed', v, {}, T0);
    const res = bySource(ev.evaluate(1000));
    assert.equal(res['llm_req_failed rate<0.01']!.observed, 0.25);
    assert.equal(res['llm_req_failed rate<0.01']!.ok, false);
    assert.equal(res['llm_req_failed rate<=0.25']!.ok, true);
    assert.equal(res['llm_req_failed count<2']!.observed, 1);
    assert.equal(res['llm_req_failed count<2']!.ok, true);
  });

  test('sub-metric thresholds see only their samples', () => {
    const { r, ev } = setup({ 'llm_ttft{scenario:chat}': ['p(99)<100'], llm_ttft: ['p(99)<100'] });
    for (let i = 0; i < 50; i++) r.add('llm_ttft', 20, { scenario: 'chat' }, T0);
    for (let i = 0; i < 50; i++) r.add('llm_ttft', 900, { scenario: 'batch' }, T0);
    const res = bySource(ev.evaluate(1000));
    assert.equal(res['llm_ttft{scenario:chat} p(99)<100']!.ok, true);
    assert.equal(res['llm_ttft{scenario:chat} p(99)<100']!.samples, 50);
    assert.equal(res['llm_ttft p(99)<100']!.ok, false);
  });

  test('results() is the last evaluation; empty before the first', () => {
    const { ev } = setup({ llm_reqs: ['count<1'] });
    assert.deepEqual(ev.results(), []);
    assert.equal(ev.anyFailed(), false);
    const res = ev.evaluate(1000);
    assert.equal(ev.results(), res);
    assert.deepEqual(
      { ...res[0]! },
      { metric: 'llm_reqs', source: 'count<1', ok: true, observed: 0, abortOnFail: false, delayAbortEvalMs: 0, aggregation: 'count', samples: 0 },
    );
  });
});

describe('no samples (k6: skipped during the run, zero values at the end, empty rate passes)', () => {
  test('evaluate() uses k6 empty-sink values', () => {
    const { ev } = setup({
      llm_ttft: ['p(95)<500', 'avg>0', 'max==0', 'count>0'],
      llm_reqs: ['count<1', 'rate>0'],
      queue_depth: ['value==0', 'min<1'],
      llm_req_failed: ['rate<0.01', 'rate>0.5', 'count==0'],
    });
    const res = bySource(ev.evaluate(60_000));
    const expect: Array<[string, boolean, number]> = [
      ['llm_ttft p(95)<500', true, 0],
      ['llm_ttft avg>0', false, 0],
      ['llm_ttft max==0', true, 0],
      ['llm_ttft count>0', false, 0],
      ['llm_reqs count<1', true, 0],
      ['llm_reqs rate>0', false, 0],
      ['queue_depth value==0', true, 0],
      ['queue_depth min<1', true, 0],
      ['llm_req_failed rate<0.01', true, NaN],
      ['llm_req_failed rate>0.5', true, NaN],
      ['llm_req_failed count==0', true, 0],
    ];
    for (const [key, ok, observed] of expect) {
      assert.equal(res[key]!.ok, ok, key);
      assert.ok(Object.is(res[key]!.observed, observed), `${key}: observed ${res[key]!.observed}`);
      assert.equal(res[key]!.samples, 0);
    }
  });

  test('an empty metric never requests an abort, even if its final evaluation fails', () => {
    const { ev } = setup({ llm_goodput: [{ threshold: 'count>0', abortOnFail: true }] });
    assert.equal(ev.abortRequested(5_000), undefined);
    assert.equal(ev.abortRequested(500_000), undefined);
    assert.equal(ev.evaluate(600_000)[0]!.ok, false);
    assert.equal(ev.anyFailed(), true);
    assert.equal(ev.abortedBy, undefined);
  });
});

describe('abortOnFail and delayAbortEval', () => {
  test('no abort before the delay; abort once elapsed >= delay; latched', () => {
    const { r, ev } = setup({ llm_ttft: [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: '10s' }] });
    for (let i = 0; i < 10; i++) r.add('llm_ttft', 500, {}, T0);
    assert.equal(ev.abortRequested(2_000), undefined);
    assert.equal(ev.abortRequested(9_999), undefined);
    const a = ev.abortRequested(10_000);
    assert.ok(a);
    assert.equal(a.ok, false);
    assert.equal(a.metric, 'llm_ttft');
    assert.equal(a.source, 'p(95)<100');
    assert.equal(a.abortOnFail, true);
    assert.equal(a.delayAbortEvalMs, 10_000);
    near(a.observed, 500);
    // Latched: good samples afterwards don't un-request it.
    for (let i = 0; i < 1000; i++) r.add('llm_ttft', 1, {}, T0);
    assert.equal(ev.abortRequested(12_000), a);
    assert.equal(ev.abortedBy, a);
  });

  test('without delayAbortEval the first failing check aborts', () => {
    const { r, ev } = setup({ llm_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] });
    r.add('llm_req_failed', 1, {}, T0);
    assert.equal(ev.abortRequested(0)?.source, 'rate<0.1');
  });

  test('a failing threshold without abortOnFail never aborts', () => {
    const { r, ev } = setup({ llm_req_failed: ['rate<0.1'], llm_ttft: [{ threshold: 'avg<1', delayAbortEval: '1s' }] });
    r.add('llm_req_failed', 1, {}, T0);
    r.add('llm_ttft', 50, {}, T0);
    assert.equal(ev.abortRequested(60_000), undefined);
  });

  test('a failure before the delay that has recovered by then does not abort', () => {
    const { r, ev } = setup({ llm_ttft: [{ threshold: 'avg<100', abortOnFail: true, delayAbortEval: '10s' }] });
    r.add('llm_ttft', 500, {}, T0);
    assert.equal(ev.abortRequested(5_000), undefined); // failing, but within the delay
    for (let i = 0; i < 99; i++) r.add('llm_ttft', 10, {}, T0);
    assert.equal(ev.abortRequested(10_000), undefined); // avg = 14.9 now
  });

  test('counter rate abort depends on the elapsed time', () => {
    const { r, ev } = setup({ llm_reqs: [{ threshold: 'rate>=1', abortOnFail: true, delayAbortEval: '5s' }] });
    for (let i = 0; i < 10; i++) r.add('llm_reqs', 1, {}, T0);
    assert.equal(ev.abortRequested(5_000), undefined); // 2/s
    assert.equal(ev.abortRequested(10_000), undefined); // 1/s
    assert.equal(ev.abortRequested(20_000)?.observed, 0.5);
  });
});

describe('the final evaluation decides', () => {
  test('a threshold that failed mid-run but passes at the end has passed', () => {
    const { r, ev } = setup({ llm_ttft: ['avg<100'] });
    r.add('llm_ttft', 500, {}, T0);
    assert.equal(ev.evaluate(1_000)[0]!.ok, false);
    assert.equal(ev.anyFailed(), true);
    for (let i = 0; i < 99; i++) r.add('llm_ttft', 10, {}, T0);
    assert.equal(ev.evaluate(60_000)[0]!.ok, true);
    assert.equal(ev.anyFailed(), false);
  });

  test('after an abort the run has failed even if the final values pass (k6 exits 99)', () => {
    const { r, ev } = setup({ llm_ttft: [{ threshold: 'avg<100', abortOnFail: true }] });
    r.add('llm_ttft', 500, {}, T0);
    assert.ok(ev.abortRequested(1_000));
    for (let i = 0; i < 999; i++) r.add('llm_ttft', 1, {}, T0); // in-flight requests finishing
    const [final] = ev.evaluate(2_000);
    assert.equal(final!.ok, true);
    assert.equal(ev.anyFailed(), true);
  });
});

test('Registry.addMany records exactly what add() would, in the metric and its matching sub-metrics', () => {
  const one = new Registry();
  const many = new Registry();
  for (const r of [one, many]) {
    r.define('lat', 'trend', 'time');
    const m = r.get('lat')!;
    r.submetric(m, [['scenario', 'a']]);
    r.submetric(m, [['scenario', 'b']]);
  }
  const values = [0.5, 1.25, 3, 3, 100.75, 0.001];
  for (const v of values) one.add('lat', v, { scenario: 'a' }, 1);
  many.addMany('lat', values, { scenario: 'a' }, 1);
  assert.deepEqual(many.encode(), one.encode());
  assert.throws(() => many.addMany('nope', [1], {}, 1), /unknown metric "nope"/);
});
