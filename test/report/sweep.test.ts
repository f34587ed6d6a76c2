// Sweep and capacity reports tell the truth about every level (issue 19): no green badge over a
// failed level, the whole duration, goodput and SLO verdicts, the capacity answer, metric-vs-load
// charts, per-level details with their charts, and level labels that cross no curve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelBox, placeLabels, renderReport, segmentHitsBox, type Segment, type SweepPoint } from '../../runtime/report/index.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { hostileSummary, hostileTimeline } from './helpers.ts';

/** A passing summary (no hostile strings needed here), its latency growing with `i`. */
function summary(i: number, thresholdsOk = true): SummaryData {
  const s = hostileSummary();
  s.target = { url: 'http://127.0.0.1:1/v1', embeddedMock: true, model: 'm', api: 'openai' };
  s.state = { ...s.state, testRunDurationMs: 5000, stopReason: 'completed', startedAt: '2026-12-01T10:00:00.000Z' };
  delete s.state.abortMessage;
  s.thresholds = [{ metric: 'llm_ttft', source: 'p(95)<2000', ok: thresholdsOk, observed: 100, aggregation: 'p(95)' }];
  s.llm.requestThroughput = 2 + i * 3;
  s.llm.outputTokenThroughput = 60 + i * 90;
  const lat = (k: number) => ({ avg: k, 'p(50)': k, 'p(90)': k * 1.5, 'p(95)': k * 1.7, 'p(99)': k * 2, max: k * 2.2 });
  s.llm.percentiles = { llm_ttft: lat(50 * 2 ** i), llm_tpot: lat(10 + i), llm_e2e: lat(400 * (i + 1)) };
  return s;
}

function point(c: number, i: number, extra: Partial<SweepPoint> = {}): SweepPoint {
  return { label: `${c} VUs`, concurrency: c, summary: summary(i), wallMs: 5200, ...extra };
}

test('sweep report: no green badge over a failed level (the last level passing decides nothing)', () => {
  const levels = [point(1, 0, { ok: true, goodput: 2 }), point(4, 1, { ok: false, failReason: 'p99(llm_ttft)<150 (200)', goodput: 1 }), point(16, 2, { ok: true, goodput: 8 })];
  const html = renderReport({ summary: levels[2]!.summary, sweep: levels, meta: { kind: 'sweep', slos: ['p99(llm_ttft)<150'] } });
  assert.doesNotMatch(html, /class="verdict ok"/);
  assert.match(html, /<span class="verdict bad" id="verdict">1 of 3 levels failed their SLOs<\/span>/);
  assert.match(html, /<tr data-level="2" data-ok="false">.*FAIL: p99\(llm_ttft\)&lt;150 \(200\)/);
  // without SLOs, a level is judged by its own thresholds
  const byThresholds = [point(1, 0), { ...point(4, 1), summary: summary(1, false) }, point(16, 2)];
  const html2 = renderReport({ summary: byThresholds[2]!.summary, sweep: byThresholds });
  assert.match(html2, /1 of 3 levels failed their thresholds/);
  assert.doesNotMatch(html2, /class="verdict ok"/, 'the last level\u2019s passing thresholds are not the sweep\u2019s badge');
  const allGood = [point(1, 0, { ok: true }), point(2, 1, { ok: true })];
  assert.match(renderReport({ summary: allGood[1]!.summary, sweep: allGood }), /class="verdict ok" id="verdict">every level met its SLOs/);
});

test('sweep report: the header shows the whole duration, not the last level\u2019s', () => {
  const levels = [point(1, 0), point(2, 1), point(4, 2), point(8, 3), point(16, 4)];
  const given = renderReport({ summary: levels[4]!.summary, sweep: levels, meta: { kind: 'sweep', durationMs: 26_000, startedAt: '2026-12-01T09:59:59.000Z' } });
  assert.match(given, /<b>duration<\/b> 26s<\/span>/);
  assert.match(given, /<b>started<\/b> 2026-12-01T09:59:59\.000Z/);
  // rebuilt from sweep.json alone: the levels' wall-clock times added up, and said so
  const rebuilt = renderReport({ summary: levels[4]!.summary, sweep: levels });
  assert.match(rebuilt, /<b>duration<\/b> 26s \(the levels added up\)/);
  assert.doesNotMatch(rebuilt, /<b>duration<\/b> 5s/);
});

test('capacity report: goodput and SLO columns, and the capacity answer', () => {
  const answer = 'capacity: 4 VUs (concurrency), confirmed — 5 req/s, goodput 5 req/s; above it, at 16 VUs, p99(llm_ttft)<300 breaks first (400)';
  const levels = [point(1, 0, { ok: true, goodput: 2 }), point(4, 1, { ok: true, goodput: 5 }), point(16, 2, { ok: false, failReason: 'p99(llm_ttft)<300 (400)', goodput: 3 })];
  const html = renderReport({ summary: levels[2]!.summary, sweep: levels, meta: { kind: 'capacity', slos: ['p99(llm_ttft)<300'], answer, capacity: 4, focus: 1 } });
  assert.ok(html.includes(`<p class="answer ok" id="capacity-answer">${answer.replace('&', '&amp;').replace('<', '&lt;')}</p>`));
  assert.match(html, /<th>goodput<\/th><th>result<\/th><th>duration<\/th>/);
  assert.match(html, /<td>5 req\/s<\/td><td class="text ok" title="every SLO met">pass<\/td>/);
  assert.match(html, /<details class="level" id="level-2" open>/, 'the capacity level opens first');
  assert.doesNotMatch(html, /<details class="level" id="level-3" open>/);
  const none = renderReport({ summary: levels[0]!.summary, sweep: [levels[2]!], meta: { kind: 'capacity', answer: 'capacity: none — even 16 VUs fails', capacity: null } });
  assert.match(none, /<p class="answer bad" id="capacity-answer">capacity: none/);
});

test('sweep report: metric-vs-load charts with the SLO bound and failed levels ringed', () => {
  const levels = [point(8, 2, { ok: false, failReason: 'x' }), point(1, 0, { ok: true }), point(4, 1, { ok: true })];
  const html = renderReport({ summary: levels[0]!.summary, sweep: levels, meta: { kind: 'sweep', slos: ['p99(llm_ttft)<300'] } });
  for (const id of ['load-throughput', 'load-ttft', 'load-tpot', 'load-e2e']) assert.match(html, new RegExp(`id="${id}" data-chart="${id}" data-points="[1-9]`), id);
  const ttft = /id="load-ttft"[\s\S]*?<\/figure>/.exec(html)![0];
  assert.match(ttft, /<line class="bound"[^>]*><title>SLO p99\(llm_ttft\)&lt;300<\/title>/);
  assert.equal(ttft.match(/bad-point/g)?.length, 2, 'the failed level, in p50 and p99');
  // sorted by load: the path's x grows
  const xs = [.../<path class="series" d="([^"]+)"/.exec(ttft)![1]!.matchAll(/[ML]([\d.]+) /g)].map((m) => Number(m[1]));
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
});

test('sweep report: every level has its distributions and time series when the sweep recorded them; none drawn empty otherwise', () => {
  const levels = [point(1, 0), point(2, 1)];
  const html = renderReport({ summary: levels[1]!.summary, sweep: levels, timelines: [hostileTimeline(), hostileTimeline()] });
  for (const id of ['l1-hist-ttft', 'l1-ts-requests', 'l2-hist-e2e', 'l2-ts-ttft']) assert.match(html, new RegExp(`id="${id}" data-chart="${id}" data-points="[1-9]`), id);
  const bare = renderReport({ summary: levels[1]!.summary, sweep: levels });
  assert.doesNotMatch(bare, /data-points="0"/, 'no empty panels');
  assert.match(bare, /No distributions or time series for this level/);
});

/** Label boxes and path segments of a chart, as drawn in the HTML. */
function geometry(html: string, id: string): { labels: Array<{ text: string; box: ReturnType<typeof labelBox> }>; segments: Segment[] } {
  const fig = new RegExp(`id="${id}"[\\s\\S]*?</figure>`).exec(html)![0];
  const labels = [...fig.matchAll(/<text class="point-label" x="([-\d.]+)" y="([-\d.]+)"(?: text-anchor="(\w+)")?>([^<]*)<\/text>/g)].map((m) => ({
    text: m[4]!,
    box: labelBox(m[4]!, Number(m[1]), Number(m[2]), (m[3] as 'start' | 'middle' | 'end') ?? 'start'),
  }));
  const segments: Segment[] = [];
  for (const m of fig.matchAll(/<path class="series" d="([^"]+)"/g)) {
    const pts = [...m[1]!.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((x) => [Number(x[1]), Number(x[2])] as const);
    for (let i = 1; i < pts.length; i++) segments.push([pts[i - 1]![0], pts[i - 1]![1], pts[i]![0], pts[i]![1]]);
  }
  return { labels, segments };
}

test('sweep report: level labels do not overlap the curves or each other', () => {
  // latency rising steeply with throughput: the old labels (right of and above each point) sat on the next segment
  const levels = [1, 2, 4, 8, 16, 32].map((c, i) => point(c, i));
  const html = renderReport({ summary: levels[5]!.summary, sweep: levels });
  for (const id of ['sweep-ttft-req', 'sweep-ttft-tok', 'sweep-e2e-req', 'sweep-tpot-tok']) {
    const { labels, segments } = geometry(html, id);
    assert.equal(labels.length, 6, `${id}: one label per level`);
    for (const l of labels) for (const s of segments) assert.ok(!segmentHitsBox(s, l.box), `${id}: label ${l.text} crosses a curve`);
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!.box;
      const b = labels[j]!.box;
      assert.ok(!(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h), `${id}: labels ${labels[i]!.text} and ${labels[j]!.text} overlap`);
    }
  }
});

test('placeLabels: takes the first free spot, and the least bad one when none is free', () => {
  const [free] = placeLabels([{ x: 50, y: 50, text: 'a' }], [], { w: 200, h: 100 });
  assert.deepEqual(free, { x: 56, y: 43, text: 'a', anchor: 'start' });
  // a segment through the right-above spot: the label moves
  const [moved] = placeLabels([{ x: 50, y: 50, text: 'abc' }], [[50, 50, 100, 30]], { w: 200, h: 100 });
  assert.ok(!segmentHitsBox([50, 50, 100, 30], labelBox(moved!.text, moved!.x, moved!.y, moved!.anchor)));
});
