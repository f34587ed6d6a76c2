// The text renderer, on a fixed summary: layout, units, ✓/✗, sub-metric indentation, colour switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { formatBytes, formatTime, renderTextSummary, table } from '../../runtime/summary/text.ts';

function fixture(): SummaryData {
  return {
    schemaVersion: 1,
    llmperf: { version: '0.1.0', node: 'v20' },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 10_000, stopReason: 'completed', startedAt: '2026-01-01T00:00:00Z' },
    target: { url: 'http://127.0.0.1:8000/v1', embeddedMock: false, model: 'qwen', api: 'openai' },
    options: {},
    scenarios: [{ name: 'chat', executor: 'constant-vus', description: '4 looping VUs for 10s' }],
    metrics: {
      llm_ttft: { type: 'trend', contains: 'time', values: { avg: 120.5, min: 80, med: 110, max: 1500, 'p(90)': 200, 'p(95)': 250, count: 50 }, thresholds: { 'p(95)<200': { ok: false } } },
      'llm_ttft{scenario:chat}': { type: 'trend', contains: 'time', values: { avg: 120.5, min: 80, med: 110, max: 1500, 'p(90)': 200, 'p(95)': 250, count: 50 } },
      llm_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.02, passes: 1, fails: 49 }, thresholds: { 'rate<0.05': { ok: true } } },
      llm_reqs: { type: 'counter', contains: 'default', values: { count: 50, rate: 5 } },
      data_received: { type: 'counter', contains: 'data', values: { count: 2_500_000, rate: 250_000 } },
      vus: { type: 'gauge', contains: 'default', values: { value: 0, min: 0, max: 4 } },
      answer_chars: { type: 'trend', contains: 'default', values: { avg: 300, min: 10, med: 280, max: 900, 'p(90)': 700, 'p(95)': 800, count: 49 } },
    },
    root_group: { name: '', path: '', id: 'x', groups: [], checks: [{ name: 'status is 200', path: '::status is 200', id: 'y', passes: 49, fails: 1 }] },
    thresholds: [
      { metric: 'llm_ttft', source: 'p(95)<200', ok: false, observed: 250, aggregation: 'p(95)' },
      { metric: 'llm_req_failed', source: 'rate<0.05', ok: true, observed: 0.02, aggregation: 'rate' },
    ],
    llm: {
      durationMs: 10_000, requests: 50, succeeded: 49, failed: 1, interrupted: 0, successRate: 0.98, requestThroughput: 4.9, outputTokenThroughput: 627.2, inputTokenThroughput: 72.8, totalTokenThroughput: 700,
      inputTokens: 730, outputTokens: 6272, goodput: 4.2, goodputShare: 0.84, slo: { ttft: 500 }, peakConcurrency: 4, errors: { HTTP_5XX: 1 }, errorSamples: { HTTP_5XX: 'HTTP 500: boom' },
      stats: ['avg', 'p(50)', 'p(99)'], percentiles: { llm_ttft: { avg: 120.5, 'p(50)': 110, 'p(99)': 1400 } }, tokenCountSources: '',
    },
    scriptErrors: [{ position: 'chat.ts:12:5', message: 'oops', count: 3 }],
    iterations: { completed: 50, interrupted: 0, dropped: 2 },
    vusMax: 4,
  };
}

test('thresholds show ✓/✗ with the observed value in the metric unit', () => {
  const s = renderTextSummary(fixture(), { color: false });
  assert.match(s, /█ THRESHOLDS\n\n {4}llm_ttft\n {4}✗ 'p\(95\)<200' p\(95\)=250\.00ms\n/);
  assert.match(s, /llm_req_failed\n {4}✓ 'rate<0\.05' rate=0\.02\n/);
});

test('metrics are grouped by kind, sub-metrics indented under their metric, values formatted by type', () => {
  const s = renderTextSummary(fixture(), { color: false });
  const custom = s.indexOf('    CUSTOM');
  const llm = s.indexOf('    LLM\n');
  const exec = s.indexOf('    EXECUTION');
  const net = s.indexOf('    NETWORK');
  assert.ok(custom > 0 && custom < llm && llm < exec && exec < net, 'group order');
  assert.match(s, /answer_chars\.+: avg=300 min=10 med=280 max=900 p\(90\)=700 p\(95\)=800/);
  assert.match(s, /\n {4}llm_ttft\.+: avg=120\.50ms min=80\.00ms med=110\.00ms max=1\.50s/);
  assert.match(s, /\n {6}\{scenario:chat\}\.+: avg=120\.50ms/);
  assert.match(s, /llm_req_failed\.+: 2\.00% {2}1 out of 50/);
  assert.match(s, /llm_reqs\.+: 50 {2}5\/s/);
  assert.match(s, /data_received\.+: 2\.5 MB {2}250\.0 kB\/s/);
  assert.match(s, /vus\.+: 0 {2}min=0 max=4/);
});

test('checks, the LLM section, errors and the closing line', () => {
  const s = renderTextSummary(fixture(), { color: false });
  assert.match(s, /checks_succeeded\.+: 98\.00% 49 out of 50/);
  assert.match(s, /✗ status is 200\n {6}↳ {2}98% — ✓ 49 \/ ✗ 1/);
  assert.match(s, /Requests {22}50 total, 49 succeeded, 1 failed \(98\.00% success\)/);
  assert.match(s, /Goodput {23}4\.20 req\/s \(84\.00% of requests meet ttft<=500ms\)/);
  assert.match(s, / {6}HTTP_5XX {20}1 {2}HTTP 500: boom/);
  assert.match(s, /│ Metric {4}│ {4}avg │ p50 │ {2}p99 │\n/);
  assert.match(s, /│ TTFT \(ms\) │ 120\.50 │ 110 │ 1400 │/);
  assert.match(s, /✗ 3× chat\.ts:12:5: oops/);
  assert.match(s, /running \(10\.00s\), 4 max VUs, 50 complete and 0 interrupted iterations, 2 dropped/);
});

test('colour only when asked; a fixed time unit is honoured', () => {
  const plain = renderTextSummary(fixture(), { color: false });
  assert.doesNotMatch(plain, /\x1b\[/);
  const coloured = renderTextSummary(fixture(), { color: true });
  assert.match(coloured, /\x1b\[3[12]m[✓✗]/);
  const secs = renderTextSummary(fixture(), { color: false, timeUnit: 's' });
  assert.match(secs, /llm_ttft\.+: avg=0\.12s/);
});

test('formatters and table', () => {
  assert.equal(formatTime(0.5), '500.00µs');
  assert.equal(formatTime(12.345), '12.35ms');
  assert.equal(formatTime(2500), '2.50s');
  assert.equal(formatTime(125_000), '2m5.0s');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1500), '1.5 kB');
  assert.deepEqual(table(['a', 'b'], [['x', '1']]), ['┌───┬───┐', '│ a │ b │', '├───┼───┤', '│ x │ 1 │', '└───┴───┘']);
});
