// The one per-request SLO check (goodput) behind options.slo and --slo: regression for the two
// definitions that disagreed (options.slo checked ITL but not TTFB, --slo checked TTFB but not ITL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundsFromOptions, boundsFromSlos, meetsBounds, type RequestLatencies } from '../../runtime/metrics/request-slo.ts';
import { parseSloExpression } from '../../runtime/metrics/expression.ts';

const rec = (o: Partial<RequestLatencies>): RequestLatencies => ({ ok: true, ttft: 50, tpot: 5, e2e: 100, ttfb: 5, itl: [5, 6, 5], ...o });

test('--slo bounds: good = succeeded and every per-request latency bound met', () => {
  const b = boundsFromSlos(['p99(llm_ttft)<100', 'p99(llm_tpot)<=10', 'rate(llm_req_failed)<0.01'].map((s) => parseSloExpression(s)));
  assert.equal(meetsBounds(b, rec({})), true);
  assert.equal(meetsBounds(b, rec({ ttft: 100 })), false); // strict <
  assert.equal(meetsBounds(b, rec({ tpot: 10 })), true); // <=
  assert.equal(meetsBounds(b, rec({ tpot: null })), true); // one output token: no TPOT to judge
  assert.equal(meetsBounds(b, rec({ ok: false })), false);
  assert.equal(meetsBounds(boundsFromSlos([parseSloExpression('rate(llm_req_failed)<0.01')]), rec({ ttft: 5000 })), true);
  // level-only SLOs are not per-request bounds
  assert.deepEqual(boundsFromSlos(['p99(llm_ttft{turn:1})<5', 'p99(llm_ttft)>5', 'count(llm_ttft)<5'].map((s) => parseSloExpression(s))), []);
});

test('options.slo and --slo judge TTFB and ITL the same way', () => {
  const fromOptions = boundsFromOptions({ ttfb: 10, itl: 8 });
  const fromSlos = boundsFromSlos([parseSloExpression('p99(ttfb)<=10'), parseSloExpression('max(itl)<=8')]);
  assert.deepEqual(fromOptions, fromSlos);
  for (const r of [rec({}), rec({ ttfb: 11 }), rec({ itl: [5, 9] }), rec({ itl: [] }), rec({ ttfb: null })]) {
    assert.equal(meetsBounds(fromOptions, r), meetsBounds(fromSlos, r));
  }
  assert.equal(meetsBounds(fromOptions, rec({ itl: [5, 9] })), false, 'the largest gap is over the bound');
  assert.equal(meetsBounds(fromOptions, rec({ ttfb: 11 })), false);
  assert.equal(meetsBounds(fromOptions, rec({ itl: [] })), true, 'a non-streamed answer has no ITL to judge');
});
