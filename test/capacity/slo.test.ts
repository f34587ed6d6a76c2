// The SLO grammar (table-driven), evaluation on a level's registry, and the per-request goodput test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initHistograms } from '../../runtime/metrics/hdr.ts';
import { Registry } from '../../runtime/metrics/registry.ts';
import { bindSlos, evaluateSlos, parseSlo } from '../../runtime/sweep/slo.ts';

test('parseSlo: the documented forms', () => {
  const ok: Array<[string, { selector: string; agg: string; op: string; bound: number }]> = [
    ['p99(llm_ttft)<500', { selector: 'llm_ttft', agg: 'p99', op: '<', bound: 500 }],
    ['p(99)(llm_ttft)<500', { selector: 'llm_ttft', agg: 'p99', op: '<', bound: 500 }],
    [' p99.9 ( llm_e2e ) <= 2000 ', { selector: 'llm_e2e', agg: 'p99.9', op: '<=', bound: 2000 }],
    ['avg(llm_tpot)<50', { selector: 'llm_tpot', agg: 'avg', op: '<', bound: 50 }],
    ['max(ttft)<1000', { selector: 'llm_ttft', agg: 'max', op: '<', bound: 1000 }],
    ['med(tpot)<30', { selector: 'llm_tpot', agg: 'med', op: '<', bound: 30 }],
    ['rate(llm_req_failed)<0.01', { selector: 'llm_req_failed', agg: 'rate', op: '<', bound: 0.01 }],
    ['rate(checks)>=0.99', { selector: 'checks', agg: 'rate', op: '>=', bound: 0.99 }],
    ['p95(llm_ttft{turn:1})<800', { selector: 'llm_ttft{turn:1}', agg: 'p95', op: '<', bound: 800 }],
  ];
  for (const [src, want] of ok) {
    const s = parseSlo(src);
    const agg = s.agg.name === 'p' ? `p${s.agg.arg}` : s.agg.name;
    assert.deepEqual({ selector: s.selector, agg, op: s.op, bound: s.bound }, want, src);
  }
});

test('parseSlo: bad expressions say how to write one', () => {
  for (const bad of ['p99(llm_ttft)', 'llm_ttft<500', 'p99(llm_ttft)<500ms', 'p101(llm_ttft)<5', 'avg(llm ttft)<5', 'foo(llm_ttft)<5', 'p99()<5']) {
    assert.throws(() => parseSlo(bad), (e: Error) => /--slo|percentile|metric/.test(e.message), bad);
  }
  assert.throws(() => parseSlo('p99(llm_ttft)'), /AGG\(METRIC\) OP NUMBER/);
});

test('bindSlos: unknown metrics and unsuitable aggregations are configuration errors', async () => {
  await initHistograms();
  const reg = new Registry();
  assert.throws(() => bindSlos([parseSlo('p99(llm_tfft)<5')], reg), /unknown metric "llm_tfft".*llm_ttft/);
  assert.throws(() => bindSlos([parseSlo('p99(llm_req_failed)<5')], reg), /does not apply to llm_req_failed, a rate/);
  assert.doesNotThrow(() => bindSlos([parseSlo('rate(llm_req_failed)<0.01'), parseSlo('p99(ttft{turn:1})<5')], reg));
});

test('evaluateSlos: values from the level registry, tag sub-metrics, no data fails', async () => {
  await initHistograms();
  const reg = new Registry();
  const slos = ['p99(llm_ttft)<100', 'avg(llm_ttft)<=60', 'p99(llm_ttft{turn:2})<60', 'rate(llm_req_failed)<0.05', 'p99(llm_tpot)<50'].map(parseSlo);
  bindSlos(slos, reg);
  for (let i = 1; i <= 100; i++) reg.add('llm_ttft', i, { turn: i <= 50 ? '2' : '1' }, 0); // 1..100, turn 2 = 1..50
  for (let i = 0; i < 100; i++) reg.add('llm_req_failed', i < 3 ? 1 : 0, {}, 0);
  const r = evaluateSlos(slos, reg, 10_000);
  assert.equal(r[0]!.ok, true, `p99 of 1..100 is 99: ${r[0]!.observed}`);
  assert.ok(Math.abs(r[0]!.observed! - 99) <= 1);
  assert.equal(r[1]!.ok, true); // avg 50.5
  assert.ok(Math.abs(r[1]!.observed! - 50.5) < 0.01);
  assert.equal(r[2]!.ok, true);
  assert.ok(r[2]!.observed! >= 49 && r[2]!.observed! <= 51, `turn 2 only: ${r[2]!.observed}`);
  assert.equal(r[3]!.ok, true);
  assert.ok(Math.abs(r[3]!.observed! - 0.03) < 1e-9);
  assert.deepEqual([r[4]!.ok, r[4]!.observed], [false, null]); // no TPOT samples: fails
  const strict = evaluateSlos([parseSlo('max(llm_ttft)<100')], reg, 10_000)[0]!;
  assert.equal(strict.ok, false);
  assert.ok(strict.severity >= 1);
});
