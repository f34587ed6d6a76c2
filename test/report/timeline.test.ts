import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { displayBins, LogHistogram } from '../../runtime/report/loghist.ts';
import { Timeline } from '../../runtime/report/index.ts';

const MONO0 = 1_000_000; // CLOCK_MONOTONIC ms at the run start, for these records

function rec(p: Partial<RequestRecord> & { start: number }): RequestRecord {
  return {
    id: 1, scenario: 'default', vu: 1, iter: 0, api: 'openai', model: 'm', url: 'http://127.0.0.1/v1/chat/completions', tags: {},
    plannedStart: null, startWall: 1_700_000_000_000 + p.start, startMono: MONO0 + p.start,
    ttfb: 5, ttft: 100, e2e: 500, tpot: 10, itl: [10, 10], chunks: 3, inputTokens: 10, outputTokens: 10,
    inputTokenSource: 'usage', outputTokenSource: 'usage', status: 200, ok: true, errorCode: null, errorMessage: null,
    finishReason: 'stop', bytesSent: 100, bytesReceived: 1000, requestBody: null, responseText: null, good: null, responseId: null, batchSize: null, cachedTokens: null,
    ttftAnswer: null, reasoningTokens: null, answerTokens: null, reasoningTokenSource: null, reasoningText: null, streamCheck: 'ok', contentType: 'text/event-stream', endedWithoutDone: false, choices: 1, choiceTexts: null,
    ...p,
  };
}

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

test('buckets: started by t0, succeeded by end, busy time and tokens spread over the request', () => {
  const tl = new Timeline();
  tl.onRecord(rec({ start: 100, ttft: 100, e2e: 500, outputTokens: 10 })); // [100, 600], generating [200, 600]
  tl.onRecord(rec({ start: 900, ttft: 100, e2e: 600, outputTokens: 10 })); // [900, 1500], generating [1000, 1500]
  tl.onRecord(rec({ start: 1800, ttft: 100, e2e: 400, outputTokens: 8 })); // [1800, 2200], generating [1900, 2200]
  const d = tl.toJSON();
  assert.equal(d.bucketMs, 1000);
  assert.equal(d.startWall, 1_700_000_000_000);
  assert.deepEqual(d.started, [2, 1, 0]);
  assert.deepEqual(d.completed, [1, 1, 1]);
  assert.deepEqual(d.busyMs, [600, 700, 200]);
  assert.equal(d.outputTokens[0], 10);
  assert.ok(Math.abs(d.outputTokens[1]! - (10 + 8 * (100 / 300))) < 1e-3);
  assert.ok(Math.abs(d.outputTokens[2]! - 8 * (200 / 300)) < 1e-3);
  assert.deepEqual(d.errors, [0, 0, 0]);
  assert.deepEqual(d.ttftP50, [100, 100, null], "by the second the first token arrived (1.9 s for the third)");
  assert.equal(d.histograms.llm_ttft.count, 3);
  assert.equal(d.histograms.llm_itl.count, 6);
  assert.equal(d.histograms.llm_e2e.max, 600);
});

test('failures: counted by code at their end; without e2e the end is when the record arrived; interrupted requests are no errors', () => {
  let mono = MONO0;
  const tl = new Timeline({ monoNow: () => mono });
  mono = MONO0 + 2500; // a request that started at 0 and timed out at 2.5 s
  tl.onRecord(rec({ start: 0, ok: false, errorCode: 'TOTAL_TIMEOUT', errorMessage: 'timeout', ttft: null, e2e: null, tpot: null, itl: [], status: 0 }));
  tl.onRecord(rec({ start: 1200, ok: false, errorCode: 'HTTP_5XX', status: 500, ttft: null, e2e: 20, tpot: null, itl: [] }));
  tl.onRecord(rec({ start: 1300, ok: false, errorCode: 'ABORTED', status: 0, ttft: null, e2e: null, tpot: null, itl: [] }));
  const d = tl.toJSON();
  assert.deepEqual(d.errors, [0, 1, 1]);
  assert.deepEqual(d.errorsByCode, { HTTP_5XX: [0, 1, 0], TOTAL_TIMEOUT: [0, 0, 1] });
  assert.deepEqual(d.started, [1, 2, 0]);
  assert.deepEqual(d.completed, [0, 0, 0]);
  // the timed-out request was in flight for 2.5 s, the aborted one from 1.3 s to 2.5 s
  assert.equal(sum(d.busyMs), 2500 + 20 + 1200);
  assert.equal(d.histograms.llm_ttft.count, 0, 'latency distributions hold successful requests only, as the metrics');
  assert.deepEqual(d.ttftP50, [null, null, null]);
});

test('long runs: buckets double in width so there are never more than maxBuckets, and totals are kept', () => {
  const tl = new Timeline({ maxBuckets: 10 });
  for (let s = 0; s < 50; s++) tl.onRecord(rec({ start: s * 1000 + 100, e2e: 300, ttft: 50 + s }));
  const d = tl.toJSON();
  assert.equal(d.bucketMs, 8000);
  assert.equal(d.started.length, 7);
  assert.equal(sum(d.started), 50);
  assert.equal(sum(d.completed), 50);
  assert.equal(Math.round(sum(d.busyMs)), 50 * 300);
  assert.equal(sum(d.ttftCount), 50);
  assert.deepEqual(d.ttftP50.slice(0, 2), [53, 61], 'p50 over the 8 requests of each 8 s bucket');
  for (const arr of [d.completed, d.errors, d.outputTokens, d.busyMs, d.ttftP99]) assert.equal(arr.length, 7);
});

test('TTFT per bucket: exact below the reservoir size, a bounded uniform sample above', () => {
  const tl = new Timeline({ reservoir: 256 });
  const vals = Array.from({ length: 100 }, (_, i) => i + 1).reverse();
  for (const v of vals) tl.onRecord(rec({ start: 10, ttft: v, e2e: 900 }));
  const many = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 999)); // 1..999 ms: every first token within bucket 2
  for (const v of many) tl.onRecord(rec({ start: 2000, ttft: v, e2e: 1000 + 200 }));
  const d = tl.toJSON();
  assert.equal(d.ttftP50[0], 50);
  assert.equal(d.ttftP99[0], 99);
  assert.equal(d.ttftCount[2], 5000);
  assert.ok(d.ttftP50[2]! > 400 && d.ttftP50[2]! < 600, `p50 of 1..999 estimated as ${d.ttftP50[2]}`);
  assert.ok(d.ttftP99[2]! > 950 && d.ttftP99[2]! <= 999, `p99 of 1..999 estimated as ${d.ttftP99[2]}`);
  const res = (tl as unknown as { ttftRes: Array<number[] | undefined> }).ttftRes;
  assert.ok(res.every((r) => !r || r.length <= 256), 'a reservoir never holds more than its size');
});

test('memory stays bounded: 20,000 requests over two hours make a timeline.json of bounded size', () => {
  const tl = new Timeline();
  for (let i = 0; i < 20_000; i++) tl.onRecord(rec({ start: i * 350, ttft: 50 + (i % 97), e2e: 400 + (i % 300), itl: Array.from({ length: 20 }, (_, k) => 5 + ((i + k) % 13)) }));
  const d = tl.toJSON();
  assert.equal(d.bucketMs, 2000);
  assert.ok(d.started.length <= 3600);
  const size = JSON.stringify(d).length;
  assert.ok(size < 400_000, `timeline.json is ${size} bytes`);
  assert.equal(d.histograms.llm_itl.count, 400_000);
  assert.ok(d.histograms.llm_itl.bins.length < 300);
});

test('log histogram: display bins cover min..max, keep every sample, and never exceed the bar count', () => {
  const h = new LogHistogram();
  for (let i = 1; i <= 10_000; i++) h.add(i / 10);
  h.add(0);
  const j = h.toJSON();
  const bins = displayBins(j, 40);
  assert.ok(bins.length <= 40 && bins.length >= 20);
  assert.equal(sum(bins.map((b) => b.count)), 10_001);
  assert.ok(bins[0]!.lo <= 0.1 && bins[bins.length - 1]!.hi > 1000);
  for (let i = 1; i < bins.length; i++) assert.ok(Math.abs(bins[i]!.lo - bins[i - 1]!.hi) < 1e-9);
  const narrow = new LogHistogram();
  for (let i = 0; i < 50; i++) narrow.add(8 + (i % 5) * 0.05);
  const nb = displayBins(narrow.toJSON(), 40);
  assert.ok(nb.length >= 2 && nb.length <= 5, `a narrow range keeps the 1 % source bins (${nb.length})`);
});
