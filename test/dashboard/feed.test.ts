// The live dashboard without a browser: the feed's figures, the events over SSE (a late page gets
// the same state as the server), loopback-only serving, the page's CSP and the exported file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Dashboard } from '../../runtime/dashboard/index.ts';
import { applyEvent, emptyState, type DashEvent, type DashState } from '../../runtime/dashboard/model.ts';
import { renderDashboardPage, dashboardScript } from '../../runtime/dashboard/page.ts';
import type { RunResult, RunStartInfo, RunTick } from '../../runtime/engine/run.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import { ConfigError } from '../../runtime/errors.ts';
import { hostileSummary, XSS, XSS2 } from '../report/helpers.ts';

const startInfo = (): RunStartInfo =>
  ({
    targetUrl: 'http://127.0.0.1:1/v1',
    embeddedMock: true,
    options: { llm: { model: 'm' } },
    plans: [{ scenario: { name: XSS, executor: 'shared-iterations', startTimeMs: 0 }, plan: { durationMs: 10_000, iterations: 100, description: XSS2 } }],
    thresholds: [],
  }) as unknown as RunStartInfo;

const rec = (over: Partial<RequestRecord>): RequestRecord => ({ ok: true, errorCode: null, ttft: 10, e2e: 50, itl: [1, 2], outputTokens: 4, ...over }) as RequestRecord;
const tick = (elapsedMs: number, progress: number): RunTick => ({ elapsedMs, inflight: 3, scenarios: [{ name: XSS, progress, activeVUs: 4, iterations: Math.round(progress * 100), plan: { durationMs: 10_000 } as never }] });

/** Drives one fake run through the hooks: 3 ticks of records, then the result. */
function fakeRun(h: ReturnType<Dashboard['hooks']>, lastRecords = 2): void {
  const feed = h.listeners[0]!;
  h.onStart(startInfo());
  for (let t = 1; t <= 3; t++) {
    for (let i = 0; i < 10; i++) feed.onRecord!(rec({ ttft: t * 10 + i }));
    feed.onRecord!(rec({ ok: false, errorCode: 'HTTP_5XX', ttft: null }));
    feed.onRecord!(rec({ ok: false, errorCode: 'ABORTED', ttft: null }));
    h.onTick(tick(t * 1000, t / 4));
  }
  for (let i = 0; i < lastRecords; i++) feed.onRecord!(rec({}));
  const s = hostileSummary();
  // llmperf's own health figures, whatever their shape, when a summary carries them
  Object.assign(s, { io: { threads: 2, lagP99Ms: 1.5 }, client: { note: XSS } });
  h.onResult({ exitCode: 99, durationMs: 3100, iterations: 35 } as unknown as RunResult, s);
}

test('feed: points count every finished request once (interrupted ones not), the end adds what came after the last tick', async () => {
  const d = await Dashboard.start({ kind: 'run', title: 't', serve: false, log: () => {} });
  fakeRun(d.hooks());
  const s = d.snapshot();
  assert.equal(s.points.length, 4, '3 ticks and a last, partial one');
  assert.equal(s.points.reduce((a, p) => a + p.ok, 0), 32);
  assert.equal(s.points.reduce((a, p) => a + p.failed, 0), 3);
  assert.deepEqual(s.points[0]!.errors, { HTTP_5XX: 1 });
  assert.ok(s.points[3]!.dt >= 0.5, 'the partial tick covers at least half a second');
  assert.equal(s.points[0]!.ttft!.p50, 14, 'nearest rank of 10..19');
  assert.equal(s.points[2]!.ttft!.n, 30, 'the window holds the last ticks');
  assert.equal(s.runs[0]!.scenarios[0]!.name, XSS);
  assert.equal(s.runs[0]!.etaMs, 3100, 'once ended, the end is known');
  assert.equal(s.runs[0]!.final!.requests, 10);
  assert.equal(s.runs[0]!.final!.exitCode, 99);
  assert.deepEqual(s.runs[0]!.final!.health, { client: { note: XSS }, io: { threads: 2, lagP99Ms: 1.5 } });
  assert.equal(s.runs[0]!.thresholds[0]!.ok, false);
  await d.finish({ exitCode: 99 });
  assert.equal(d.snapshot().status, 'finished');
});

test('feed: the estimated end follows the pace of an iteration-based plan, never past its maximum', async () => {
  const d = await Dashboard.start({ kind: 'run', title: 't', serve: false, log: () => {} });
  const h = d.hooks();
  h.onStart(startInfo());
  h.onTick(tick(3000, 0.75));
  assert.equal(d.snapshot().runs[0]!.etaMs, 4000);
  h.onTick(tick(4000, 0.2));
  assert.equal(d.snapshot().runs[0]!.etaMs, 10_000, 'the plan\'s maxDuration caps it');
});

test('feed: percentiles over a window stay bounded and fair above the reservoir', async () => {
  const d = await Dashboard.start({ kind: 'run', title: 't', serve: false, log: () => {} });
  const h = d.hooks();
  h.onStart(startInfo());
  for (let i = 1; i <= 5000; i++) h.listeners[0]!.onRecord!(rec({ ttft: i, itl: [] }));
  h.onTick(tick(1000, 0.1));
  const p = d.snapshot().points[0]!.ttft!;
  assert.equal(p.n, 512, 'a uniform sample of 512');
  assert.ok(Math.abs(p.p50 - 2500) < 300 && Math.abs(p.p99 - 4950) < 100, JSON.stringify(p));
});

/** Reads server-sent events from a URL until `stop` says so; returns the events. */
function readEvents(url: string, stop: (ev: DashEvent) => boolean): Promise<DashEvent[]> {
  return new Promise((resolve, reject) => {
    const out: DashEvent[] = [];
    const req = http.get(url, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          const name = frame.split('\n').find((l) => l.startsWith('event: '));
          if (!data) continue;
          const ev = JSON.parse(data.slice(6)) as DashEvent;
          assert.equal(name, `event: ${ev.type}`);
          out.push(ev);
          if (stop(ev)) {
            req.destroy();
            resolve(out);
          }
        }
      });
      res.on('end', () => resolve(out));
    });
    req.on('error', reject);
  });
}

function get(url: string, host?: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('server: the state first, then every event; a page that applies them has the server\u2019s state', async () => {
  const d = await Dashboard.start({ kind: 'sweep', title: XSS, port: 0, log: () => {} });
  const url = d.url!;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const early = readEvents(`${url}events`, (ev) => ev.type === 'end');
  await new Promise((r) => setTimeout(r, 100));
  fakeRun(d.hooks('1 VU'));
  d.level({ label: '1 VU', kind: 'concurrency', value: 1, requestThroughput: 3, outputTokenThroughput: 9, successRate: 1, goodput: 2, ttft: { p50: 1, p99: 2 }, tpot: { p50: 1, p99: 2 }, e2e: { p50: 1, p99: 2 }, ok: false, failReason: XSS2, slo: [] });
  const late = await readEvents(`${url}events`, (ev) => ev.type === 'state');
  const stateNow = JSON.parse((await get(`${url}state`)).body) as DashState;
  assert.deepEqual((late[0] as { state: DashState }).state, stateNow, 'a late page starts from the whole state');
  const finished = d.finish({ exitCode: 0 });
  const events = await early;
  await finished;
  assert.equal(events[0]!.type, 'state');
  let s = emptyState('run', '', 0);
  for (const ev of events) s = applyEvent(s, ev);
  assert.deepEqual(s, d.snapshot());
  assert.equal(s.levels[0]!.failReason, XSS2);
  await assert.rejects(get(`${url}state`), 'the server is closed at the end');
});

test('server: loopback names only, GET only, nothing but /, /events and /state; a busy port says what to do', async () => {
  const d = await Dashboard.start({ kind: 'run', title: 't', port: 0, log: () => {} });
  const url = d.url!;
  const port = new URL(url).port;
  assert.equal((await get(url)).status, 200);
  assert.equal((await get(url, `localhost:${port}`)).status, 200);
  const rebinding = await get(url, `attacker.example:${port}`);
  assert.equal(rebinding.status, 403);
  assert.equal((await get(`${url}state`, undefined, 'POST')).status, 405);
  assert.equal((await get(`${url}../../etc/passwd`)).status, 404);
  await assert.rejects(Dashboard.start({ kind: 'run', title: 't', port: Number(port), log: () => {} }), (e: Error) => e instanceof ConfigError && /port \d+ on 127\.0\.0\.1 is in use.*--dashboard-port 0/.test(e.message));
  await d.finish({ exitCode: 0 });
});

test('page: self-contained, its script allowed by hash, the exported state safe inside the page', async () => {
  const live = renderDashboardPage({ title: XSS });
  // the page applies events with model.ts's own applyEvent (one rule for the server's state and the page's)
  assert.ok(dashboardScript().includes(`var applyEvent = (${applyEvent.toString()})`));
  assert.ok(!dashboardScript().includes('/*APPLY_EVENT*/'));
  const hash = createHash('sha256').update(dashboardScript()).digest('base64');
  assert.ok(live.includes(`script-src &#39;sha256-${hash}&#39;`));
  assert.ok(live.includes("connect-src &#39;self&#39;"));
  assert.ok(!/\b(src|href)="(https?:)?\/\//.test(live), 'nothing from the network');
  assert.ok(!live.includes(XSS));
  const d = await Dashboard.start({ kind: 'run', title: XSS2, serve: false, exportFile: path.join(mkdtempSync(path.join(tmpdir(), 'llmperf-dash-')), 'sub', 'd.html'), log: () => {} });
  fakeRun(d.hooks(XSS2));
  const file = await d.finish({ exitCode: 99, message: XSS2 });
  const html = readFileSync(file!, 'utf8');
  assert.ok(!html.includes('connect-src'), 'an exported page opens no stream');
  assert.equal(html.match(/<script\b/g)?.length, 2, 'the state (JSON, not run) and the page script');
  assert.ok(!html.includes('</script><script>alert(2)'), 'no way out of the state block');
  const state = JSON.parse(/<script type="application\/json" id="llmperf-dashboard-state">([\s\S]*?)<\/script>/.exec(html)![1]!) as DashState;
  assert.equal(state.status, 'finished');
  assert.equal(state.message, XSS2);
});
