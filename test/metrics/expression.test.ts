/** Table-driven tests of the metric-expression grammar (runtime/metrics/expression.ts): thresholds in the manner of k6's thresholds_parser_test.go, then SLOs and summary stats. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../runtime/errors.ts';
import { ExitCode } from '../../runtime/exit-codes.ts';
import { parseExpression, ThresholdSyntaxError, type ThresholdExpression } from '../../runtime/metrics/expression.ts';

type AST = Omit<ThresholdExpression, 'source'>;

const VALID: Array<[string, AST]> = [
  // every aggregation
  ['avg<200', { method: { name: 'avg' }, op: '<', value: 200 }],
  ['min<10', { method: { name: 'min' }, op: '<', value: 10 }],
  ['max<2000', { method: { name: 'max' }, op: '<', value: 2000 }],
  ['med<150', { method: { name: 'med' }, op: '<', value: 150 }],
  ['sum<1e6', { method: { name: 'sum' }, op: '<', value: 1e6 }],
  ['count>20', { method: { name: 'count' }, op: '>', value: 20 }],
  ['rate<0.01', { method: { name: 'rate' }, op: '<', value: 0.01 }],
  ['value==0', { method: { name: 'value' }, op: '==', value: 0 }],
  ['p(95)<500', { method: { name: 'p', arg: 95 }, op: '<', value: 500 }],
  ['p(99.9)<1200', { method: { name: 'p', arg: 99.9 }, op: '<', value: 1200 }],
  ['p(0)>=0', { method: { name: 'p', arg: 0 }, op: '>=', value: 0 }],
  ['p(100)<=9', { method: { name: 'p', arg: 100 }, op: '<=', value: 9 }],
  ['p(50.)<1', { method: { name: 'p', arg: 50 }, op: '<', value: 1 }],
  // every operator
  ['count<1', { method: { name: 'count' }, op: '<', value: 1 }],
  ['count<=1', { method: { name: 'count' }, op: '<=', value: 1 }],
  ['count>1', { method: { name: 'count' }, op: '>', value: 1 }],
  ['count>=1', { method: { name: 'count' }, op: '>=', value: 1 }],
  ['count==1', { method: { name: 'count' }, op: '==', value: 1 }],
  ['count===1', { method: { name: 'count' }, op: '===', value: 1 }],
  ['count!=1', { method: { name: 'count' }, op: '!=', value: 1 }],
  // whitespace variants
  [' p(95) < 500 ', { method: { name: 'p', arg: 95 }, op: '<', value: 500 }],
  ['p ( 95 ) <500', { method: { name: 'p', arg: 95 }, op: '<', value: 500 }],
  ['\tavg\n<=\t200\n', { method: { name: 'avg' }, op: '<=', value: 200 }],
  ['rate   ===   0', { method: { name: 'rate' }, op: '===', value: 0 }],
  // numbers: decimals, negatives, signs, exponents
  ['avg<0.5', { method: { name: 'avg' }, op: '<', value: 0.5 }],
  ['avg<.5', { method: { name: 'avg' }, op: '<', value: 0.5 }],
  ['avg<5.', { method: { name: 'avg' }, op: '<', value: 5 }],
  ['min>-1', { method: { name: 'min' }, op: '>', value: -1 }],
  ['min > -0.25', { method: { name: 'min' }, op: '>', value: -0.25 }],
  ['max<+3', { method: { name: 'max' }, op: '<', value: 3 }],
  ['max<1.5e3', { method: { name: 'max' }, op: '<', value: 1500 }],
  ['max<2E-3', { method: { name: 'max' }, op: '<', value: 0.002 }],
];

for (const [src, want] of VALID) {
  test(`parses ${JSON.stringify(src)}`, () => {
    assert.deepEqual(parseExpression(src), { source: src, ...want });
  });
}

/** [input, substrings the message must contain] */
const INVALID: Array<[string, string[]]> = [
  ['', ['threshold ""', 'empty threshold', 'p(95)<500']],
  ['   ', ['empty threshold']],
  ['p(95)', ['missing the comparison after p(95)', '<, <=, >, >=, == or !=']],
  ['p(95)<', ['missing the number after "<"']],
  ['avg <   ', ['missing the number after "<"']],
  ['p95<500', ['unknown aggregation "p95"', 'did you mean p(95)?', 'avg, min, max, med', 'p(N), count, rate or value']],
  ['p99.9<500', ['unknown aggregation "p99.9"', 'did you mean p(99.9)?']],
  ['foo>20', ['unknown aggregation "foo"', 'p(N)']],
  ['AVG<5', ['unknown aggregation "AVG"', 'did you mean avg?', 'lower case']],
  ['mean<5', ['unknown aggregation "mean"', 'did you mean avg?']],
  ['<500', ['missing the aggregation before "<"']],
  ['p<5', ['p(N)', 'p(95)']],
  ['p()<5', ['p() needs a percentile between 0 and 100']],
  ['p( )<5', ['p() needs a percentile']],
  ['p(101)<5', ['percentile 101 is out of range', '0 <= N <= 100']],
  ['p(-1)<5', ['percentile -1 is out of range']],
  ['p(100.0001)<5', ['out of range']],
  ['p(foo)<5', ['expected a number in p(...)', 'found "foo"']],
  ['p(NaN)<5', ['NaN and Infinity are not allowed']],
  ['p(+Inf)<5', ['NaN and Infinity are not allowed']],
  ['p(99<5', ['missing ")" after p(99']],
  ['p(99 9)<5', ['expected ")" after p(99', '"9)<5"']],
  ['p(', ['p( is not closed']],
  ['count!20', ['unknown operator "!"']],
  ['p(95)<<500', ['unknown operator "<<"']],
  ['avg=5', ['unknown operator "="', 'did you mean ==?']],
  ['avg=>5', ['unknown operator "=>"', 'did you mean >=?']],
  ['avg<>5', ['unknown operator "<>"', 'did you mean !=?']],
  ['avg !== 5', ['unknown operator "!=="', 'did you mean !=?']],
  ['p(95) 500', ['expected a comparison operator after p(95), found "500"']],
  ['count>abc', ['expected a number after ">"', 'found "abc"']],
  ['avg<NaN', ['NaN and Infinity are not allowed']],
  ['avg<Infinity', ['NaN and Infinity are not allowed']],
  ['avg < - 5', ['no space allowed between "-" and its digits', 'write -5']],
  ['avg<500 foo', ['unexpected "foo" after 500']],
  ['avg<5 00', ['unexpected "00" after 5']],
  ['count<5<6', ['unexpected "<6" after 5', 'exactly one comparison']],
  ['p(95)<500ms', ['not units', '"ms" after 500', 'milliseconds', 'write 500']],
  ['p(95) < 1.5s', ['not units', '"s" after 1.5', 'write 1500']],
  ['p(95)<2m', ['write 120000']],
  ['p(95)<800us', ['write 0.8']],
  ['rate<1%', ['not percentages', 'fractions from 0 to 1', 'write 0.01']],
  ['count<10kb', ['not units', 'bytes']],
];

for (const [src, substrings] of INVALID) {
  test(`rejects ${JSON.stringify(src)}`, () => {
    assert.throws(
      () => parseExpression(src),
      (e: unknown) => {
        assert.ok(e instanceof ThresholdSyntaxError, `expected ThresholdSyntaxError, got ${String(e)}`);
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, ExitCode.INVALID_CONFIG);
        assert.equal(e.code, 'INVALID_THRESHOLD');
        assert.equal(e.input, src);
        assert.ok(e.message.startsWith(`threshold ${JSON.stringify(src)}: `), e.message);
        for (const s of substrings) assert.ok(e.message.includes(s), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(s)}`);
        return true;
      },
    );
  });
}

test('a non-string expression is a config error, not a crash', () => {
  assert.throws(() => parseExpression(42 as unknown as string), ConfigError);
});

// ---- the SLO form and summary stats share the grammar's aggregations

import { parseSloExpression, parseStat } from '../../runtime/metrics/expression.ts';

test('SLO form: p(N) and pN, short names, tag selectors, the same number rules as thresholds', () => {
  const s = parseSloExpression(' p(99.9) ( ttft{turn:"1"} ) <= 2e3 ');
  assert.deepEqual({ sel: s.selector, metric: s.metric, agg: s.agg, op: s.op, bound: s.bound }, { sel: 'llm_ttft{turn:1}', metric: 'llm_ttft', agg: { name: 'p', arg: 99.9 }, op: '<=', bound: 2000 });
  assert.deepEqual(parseSloExpression('p95(llm_e2e)<800').agg, { name: 'p', arg: 95 });
  assert.throws(() => parseSloExpression('p99(llm_ttft)<500ms'), /--slo "p99\(llm_ttft\)<500ms": SLOs take plain numbers, not units: "ms" after 500 — time metrics are in milliseconds, write 500/);
  assert.throws(() => parseSloExpression('p99(llm_ttft)==500'), /an SLO compares with <, <=, > or >=/);
  assert.throws(() => parseSloExpression('AVG(llm_ttft)<5'), /did you mean avg\?/);
  assert.throws(() => parseSloExpression('p101(llm_ttft)<5'), /percentile 101 is out of range/);
});

test('thresholds keep k6 strictness: pN is not an aggregation there, but is in an SLO', () => {
  assert.throws(() => parseExpression('p99<500'), /did you mean p\(99\)\?/);
  assert.deepEqual(parseSloExpression('p99(llm_ttft)<500').agg, { name: 'p', arg: 99 });
});

test('summary stats: the trend aggregations, nothing else', () => {
  assert.deepEqual(parseStat('p(99.9)'), { name: 'p', arg: 99.9 });
  assert.deepEqual(parseStat('med'), { name: 'med' });
  for (const bad of ['p99', 'rate', 'value', 'p(101)', 'avg<1', '']) assert.throws(() => parseStat(bad), /invalid stat/, bad);
});
