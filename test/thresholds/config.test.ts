import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../runtime/errors.ts';
import { initHistograms } from '../../runtime/metrics/hdr.ts';
import { Registry } from '../../runtime/metrics/registry.ts';
import { compileThresholds } from '../../runtime/thresholds/config.ts';

before(async () => {
  await initHistograms();
});

function registry(): Registry {
  const r = new Registry();
  r.define('answer_chars', 'trend');
  r.define('queue_depth', 'gauge');
  return r;
}

/** Asserts compileThresholds throws a ConfigError whose message contains every substring. */
function rejects(thresholds: unknown, ...substrings: string[]): void {
  assert.throws(
    () => compileThresholds(thresholds, registry()),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_THRESHOLD');
      for (const s of substrings) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
      return true;
    },
  );
}

describe('compileThresholds: shapes', () => {
  test('undefined / null -> no thresholds', () => {
    assert.deepEqual(compileThresholds(undefined, registry()), []);
    assert.deepEqual(compileThresholds(null, registry()), []);
  });

  test('array of strings and objects', () => {
    const ts = compileThresholds(
      { llm_ttft: ['p(95)<500', { threshold: 'p(99)<900', abortOnFail: true, delayAbortEval: '10s' }] },
      registry(),
    );
    assert.equal(ts.length, 2);
    assert.equal(ts[0]!.metric, 'llm_ttft');
    assert.equal(ts[0]!.metricType, 'trend');
    assert.equal(ts[0]!.source, 'p(95)<500');
    assert.deepEqual(ts[0]!.expression.method, { name: 'p', arg: 95 });
    assert.equal(ts[0]!.abortOnFail, false);
    assert.equal(ts[0]!.delayAbortEvalMs, 0);
    assert.equal(ts[0]!.where, 'thresholds["llm_ttft"][0]');
    assert.equal(ts[1]!.abortOnFail, true);
    assert.equal(ts[1]!.delayAbortEvalMs, 10_000);
    assert.equal(ts[1]!.where, 'thresholds["llm_ttft"][1]');
  });

  test('single string form', () => {
    const ts = compileThresholds({ llm_req_failed: 'rate<0.01' }, registry());
    assert.equal(ts.length, 1);
    assert.equal(ts[0]!.where, 'thresholds["llm_req_failed"]');
    assert.equal(ts[0]!.expression.op, '<');
  });

  test('single object form, delayAbortEval as ms number and as "1m30s"', () => {
    const [a] = compileThresholds({ llm_e2e: { threshold: 'avg<100', abortOnFail: true, delayAbortEval: 2500 } }, registry());
    assert.equal(a!.delayAbortEvalMs, 2500);
    const [b] = compileThresholds({ llm_e2e: { threshold: 'avg<100', delayAbortEval: '1m30s' } }, registry());
    assert.equal(b!.delayAbortEvalMs, 90_000);
    assert.equal(b!.abortOnFail, false);
  });

  test('empty array -> no thresholds for that metric', () => {
    assert.deepEqual(compileThresholds({ llm_ttft: [] }, registry()), []);
  });

  test('options.thresholds of the wrong type', () => {
    rejects(['p(95)<500'], 'options.thresholds must be an object');
    rejects('p(95)<500', 'options.thresholds must be an object');
  });

  test('threshold value of the wrong type', () => {
    rejects({ llm_ttft: 500 }, 'thresholds["llm_ttft"]: got number 500', 'p(95)<500');
    rejects({ llm_ttft: [500] }, 'thresholds["llm_ttft"][0]: got number 500');
    rejects({ llm_ttft: [null] }, 'thresholds["llm_ttft"][0]: got null');
  });
});

describe('compileThresholds: object fields', () => {
  test('missing threshold', () => rejects({ llm_ttft: [{ abortOnFail: true }] }, 'thresholds["llm_ttft"][0].threshold: missing'));
  test('threshold not a string', () => rejects({ llm_ttft: [{ threshold: 500 }] }, 'thresholds["llm_ttft"][0].threshold: expected an expression string, got number 500'));
  test('abortOnFail not a boolean', () => rejects({ llm_ttft: [{ threshold: 'p(95)<500', abortOnFail: 'yes' }] }, 'thresholds["llm_ttft"][0].abortOnFail: expected true or false, got "yes"'));
  test('delayAbortEval not a duration', () => rejects({ llm_ttft: [{ threshold: 'p(95)<500', delayAbortEval: '10 seconds' }] }, 'thresholds["llm_ttft"][0].delayAbortEval', 'not a valid duration'));
  test('delayAbortEval of the wrong type', () => rejects({ llm_ttft: [{ threshold: 'p(95)<500', delayAbortEval: true }] }, 'thresholds["llm_ttft"][0].delayAbortEval: expected a duration', 'got boolean true'));
  test('delayAbortEval negative', () => rejects({ llm_ttft: [{ threshold: 'p(95)<500', delayAbortEval: -5 }] }, 'delayAbortEval', 'not a valid duration'));
  test('misspelt field', () => rejects({ llm_ttft: [{ threshold: 'p(95)<500', abortOnFailure: true }] }, 'thresholds["llm_ttft"][0]: unknown field "abortOnFailure"', 'did you mean abortOnFail?'));
});

describe('compileThresholds: metrics', () => {
  test('unknown metric with a suggestion', () => rejects({ llm_tft: ['p(95)<500'] }, 'thresholds["llm_tft"]: unknown metric "llm_tft"', 'did you mean llm_ttft?'));
  test('unknown metric in a sub-metric selector', () => rejects({ 'llm_tft{scenario:chat}': ['p(95)<500'] }, 'unknown metric "llm_tft"', 'did you mean llm_ttft?'));
  test('bad selector', () => rejects({ 'llm_ttft{scenario}': ['p(95)<500'] }, 'thresholds["llm_ttft{scenario}"]', 'write tag:value'));
  test('custom metrics defined in the registry are accepted', () => {
    const ts = compileThresholds({ answer_chars: ['avg>10'], queue_depth: ['value<5'] }, registry());
    assert.deepEqual(
      ts.map((t) => [t.metric, t.metricType]),
      [['answer_chars', 'trend'], ['queue_depth', 'gauge']],
    );
  });

  test('parse errors point at key and index and name the metric', () => {
    rejects({ llm_ttft: ['p(95)<500', 'p95<500'] }, 'thresholds["llm_ttft"][1]: threshold "p95<500" on llm_ttft: unknown aggregation "p95"', 'p(N)');
  });

  test('every problem is reported at once', () => {
    rejects({ llm_ttft: ['p95<500', 'rate<1'], nope: ['count>1'] }, '3 invalid thresholds', '[0]', '[1]', 'thresholds["nope"]');
  });
});

describe('compileThresholds: aggregation vs metric type', () => {
  // [metric, type, a method the type lacks, the list the message must give]
  const MISMATCHES: Array<[string, string, string, string]> = [
    ['llm_ttft', 'trend', 'rate<0.1', 'trends support avg, min, max, med, p(N), count, sum'],
    ['llm_ttft', 'trend', 'value<1', 'trends support'],
    ['llm_reqs', 'counter', 'avg<1', 'counters support count, rate'],
    ['llm_reqs', 'counter', 'p(95)<1', 'counters support count, rate'],
    ['vus', 'gauge', 'rate<1', 'gauges support value, min, max'],
    ['vus', 'gauge', 'count<1', 'gauges support value, min, max'],
    ['llm_req_failed', 'rate', 'avg<0.1', 'rates support rate, count'],
    ['llm_req_failed', 'rate', 'p(99)<0.1', 'rates support rate, count'],
  ];
  for (const [metric, type, expr, list] of MISMATCHES) {
    test(`${expr} on ${metric} (${type})`, () => {
      const method = expr.slice(0, expr.indexOf('<'));
      rejects({ [metric]: [expr] }, `thresholds["${metric}"][0]: threshold "${expr}" on ${metric}: "${method}" does not apply to ${metric}, a ${type} metric`, list);
    });
  }

  const FITS: Array<[string, string]> = [
    ['llm_ttft', 'avg<1'], ['llm_ttft', 'min<1'], ['llm_ttft', 'max<1'], ['llm_ttft', 'med<1'], ['llm_ttft', 'p(99.9)<1'], ['llm_ttft', 'count>1'], ['llm_ttft', 'sum<1'],
    ['llm_reqs', 'count>1'], ['llm_reqs', 'rate>1'],
    ['vus', 'value<1'], ['vus', 'min<1'], ['vus', 'max<1'],
    ['llm_req_failed', 'rate<0.1'], ['llm_req_failed', 'count<5'],
  ];
  for (const [metric, expr] of FITS) {
    test(`${expr} fits ${metric}`, () => {
      assert.equal(compileThresholds({ [metric]: [expr] }, registry()).length, 1);
    });
  }
});

describe('compileThresholds: sub-metrics', () => {
  test('a selector creates the sub-metric and only matching samples count', () => {
    const r = registry();
    const [sub, root] = compileThresholds({ 'llm_ttft{scenario:chat, model:"qwen"}': ['max<100'], llm_ttft: ['max<100'] }, r);
    assert.equal(sub!.metric, 'llm_ttft{scenario:chat,model:qwen}');
    assert.deepEqual(r.get('llm_ttft')!.submetrics.map((s) => s.name), ['llm_ttft{scenario:chat,model:qwen}']);

    const t = 1_700_000_000_000;
    r.add('llm_ttft', 40, { scenario: 'chat', model: 'qwen' }, t);
    r.add('llm_ttft', 60, { scenario: 'chat', model: 'qwen', extra: 'x' }, t);
    r.add('llm_ttft', 900, { scenario: 'chat', model: 'llama' }, t);
    r.add('llm_ttft', 800, { scenario: 'batch', model: 'qwen' }, t);
    r.add('llm_ttft', 700, { model: 'qwen' }, t);

    assert.equal(sub!.sink.count, 2);
    assert.equal(sub!.sink.value({ name: 'max' }, 0), 60);
    assert.equal(root!.sink.count, 5);
    assert.equal(root!.sink.value({ name: 'max' }, 0), 900);
  });

  test('two spellings of one selector share one sub-metric', () => {
    const r = registry();
    const ts = compileThresholds({ 'llm_e2e{scenario:chat}': ['avg<1'], 'llm_e2e{ scenario : chat }': ['max<1'] }, r);
    assert.equal(r.get('llm_e2e')!.submetrics.length, 1);
    assert.equal(ts[0]!.sink, ts[1]!.sink);
  });

  test('no sub-metric is created when the config is invalid', () => {
    const r = registry();
    assert.throws(() => compileThresholds({ 'llm_e2e{scenario:chat}': ['avg<1'], llm_ttft: ['p95<1'] }, r), ConfigError);
    assert.equal(r.get('llm_e2e')!.submetrics.length, 0);
  });
});
