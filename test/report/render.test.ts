import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { renderReport, writeReport, writeSweepReport, type SweepPoint } from '../../runtime/report/index.ts';
import { hostileSummary, hostileTimeline, XSS, XSS2 } from './helpers.ts';

function figures(html: string): Array<{ id: string; points: number }> {
  return [...html.matchAll(/<figure class="chart[^"]*" id="([^"]+)" data-chart="[^"]+" data-points="(\d+)"/g)].map((m) => ({ id: m[1]!, points: Number(m[2]) }));
}

test('every string from the script, the server or the model is escaped', () => {
  const html = renderReport({ summary: hostileSummary(), timeline: hostileTimeline(), title: XSS });
  assert.ok(!html.includes('<img'), 'no raw <img> tag');
  assert.ok(!html.includes('alert(2)</script>'), 'no way out of a <script> element');
  assert.equal(html.match(/<script\b/g)?.length, 1, 'exactly one script element: ours');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the payload is shown as text');
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;'));
  // the hostile error code also reaches the hover data of the errors chart, as escaped JSON
  const hover = /id="ts-errors"[^>]* data-hover="([^"]*)"/.exec(html);
  assert.ok(hover, 'the errors chart has hover data');
  assert.ok(!/[<>"]/.test(hover[1]!));
});

test('the CSP allows exactly the page script, by its hash', () => {
  const html = renderReport({ summary: hostileSummary() });
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const hash = createHash('sha256').update(script).digest('base64');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
  assert.match(csp, /default-src 'none'/);
  assert.ok(csp.includes(`script-src 'sha256-${hash}'`), csp);
  assert.ok(!/src="http|href="http/.test(html), 'nothing is loaded from the network');
});

test('charts: histograms and time series from the timeline; placeholders that say why without one', () => {
  const withTl = figures(renderReport({ summary: hostileSummary(), timeline: hostileTimeline() }));
  assert.deepEqual(withTl.map((f) => f.id), ['hist-ttft', 'hist-tpot', 'hist-itl', 'hist-e2e', 'ts-requests', 'ts-tokens', 'ts-inflight', 'ts-ttft', 'ts-errors']);
  for (const f of withTl) assert.ok(f.points > 0, `${f.id} has data`);
  const html = renderReport({ summary: hostileSummary() });
  const without = figures(html);
  assert.deepEqual(without.map((f) => f.points), [0, 0, 0, 0]);
  assert.match(html, /No timeline\.json in the run directory/);
});

test('a sweep adds a table and throughput-vs-latency curves, one point per level', () => {
  const levels: SweepPoint[] = [1, 4, 16].map((c, i) => {
    const s = hostileSummary();
    s.llm.requestThroughput = 2 + i * 3;
    s.llm.outputTokenThroughput = 60 + i * 90;
    s.llm.percentiles.llm_ttft = { 'p(50)': 50 * (i + 1), 'p(99)': 90 * (i + 1) };
    return { label: `c=${c}`, concurrency: c, summary: s };
  });
  const html = renderReport({ summary: levels[2]!.summary, sweep: levels });
  const sweep = figures(html).filter((f) => f.id.startsWith('sweep-'));
  assert.deepEqual(sweep.map((f) => f.id), ['sweep-ttft-req', 'sweep-ttft-tok', 'sweep-tpot-req', 'sweep-tpot-tok', 'sweep-e2e-req', 'sweep-e2e-tok']);
  for (const f of sweep) assert.equal(f.points, 6, `${f.id}: p50 and p99 of 3 levels`);
  assert.match(html, /<td class="text"><a href="#level-3">c=16<\/a><\/td><td>16<\/td>/);
  assert.match(html, /Each level/);
});

test('writeReport reads a run directory and says what is missing', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'llmperf-report-'));
  await assert.rejects(writeReport(path.join(root, 'nope')), (e: Error) => e instanceof ConfigError && /not a directory/.test(e.message));
  const dir = path.join(root, 'run');
  mkdirSync(dir);
  await assert.rejects(writeReport(dir), (e: Error) => e instanceof ConfigError && e.message.includes('summary.json not found'));
  writeFileSync(path.join(dir, 'summary.json'), '{"truncated');
  await assert.rejects(writeReport(dir), (e: Error) => e instanceof ConfigError && /not valid JSON/.test(e.message));
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(hostileSummary()));
  const out = await writeReport(dir);
  assert.equal(out, path.join(dir, 'report.html'));
  const html = readFileSync(out, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<title>llmperf report — run<\/title>/);
  // with sweep.json the report shows the sweep; summary.json is then optional
  const sweepDir = path.join(root, 'sweep');
  mkdirSync(sweepDir);
  writeFileSync(path.join(sweepDir, 'sweep.json'), JSON.stringify([{ label: 'c=1', concurrency: 1, summary: hostileSummary() }]));
  assert.match(readFileSync(await writeReport(sweepDir), 'utf8'), /Levels \(1\)/);
  await assert.rejects(writeSweepReport(path.join(root, 'x.html'), []), ConfigError);
  const sweepFile = await writeSweepReport(path.join(root, 'deep', 'sweep.html'), [{ label: 'r=1', rate: 1, summary: hostileSummary() }]);
  assert.match(readFileSync(sweepFile, 'utf8'), /<details class="level" id="level-1" open><summary><b>r=1<\/b>/);
  assert.ok(!readFileSync(sweepFile, 'utf8').includes(XSS) && !readFileSync(sweepFile, 'utf8').includes(XSS2));
});
