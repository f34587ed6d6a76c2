// Units of runtime/outputs/progress.ts: live progress rendering on a TTY and in plain logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateEndMs, fitLine, Progress, type ProgressStream } from '../../runtime/outputs/progress.ts';
import { colorEnabled } from '../../runtime/outputs/color.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import type { RunTick } from '../../runtime/engine/run.ts';

class FakeStream implements ProgressStream {
  out = '';
  constructor(readonly isTTY: boolean, readonly columns = 200) {}
  write(s: string): boolean {
    this.out += s;
    return true;
  }
}

const rec = (scenario: string, over: Partial<RequestRecord> = {}): RequestRecord =>
  ({ scenario, ok: true, errorCode: null, ttft: 40, outputTokens: 10, ...over }) as RequestRecord;

function progressFor(stream: FakeStream, opts: { intervalMs?: number; everyNRequests?: number; color?: boolean } = {}): Progress {
  const p = new Progress({ stream, color: false, ...opts });
  const sc = (name: string) => ({ scenario: { name, startTimeMs: 0 } as never, plan: { durationMs: 60_000, iterations: 100 } as never });
  p.start({ plans: [sc('chat'), sc('embed')] });
  return p;
}

const tick = (elapsedMs: number, iterations: number): RunTick =>
  ({ elapsedMs, inflight: 0, scenarios: ['chat', 'embed'].map((name) => ({ name, progress: elapsedMs / 60_000, activeVUs: 4, iterations, plan: {} as never })) }) as RunTick;

test('progress on a TTY: one line per scenario, redrawn in place, logs above it, a final line each', () => {
  const s = new FakeStream(true);
  const p = progressFor(s);
  for (let i = 0; i < 10; i++) p.onRecord(rec('chat'));
  p.onRecord(rec('chat', { ok: false, errorCode: 'HTTP_5XX' }));
  p.onRecord(rec('chat', { ok: false, errorCode: 'ABORTED' }));
  p.onTick(tick(1000, 10));
  assert.match(s.out, /chat {2}\[.*\] +2% {2}1\.0s\/1m00s {2}[\d.]+ req\/s {2}errors 1 {2}TTFT p50 40ms {2}\d+ tok\/s {2}reqs 11 {2}VUs 4 {2}iters 10\/100\n/);
  assert.match(s.out, /embed .* reqs 0 /);
  s.out = '';
  p.onTick(tick(2000, 20));
  assert.ok(s.out.startsWith('\x1b[2A'), 'moves up over the 2 lines it drew');
  s.out = '';
  p.wrapLog((l) => s.write(l + '\n'))('WARN something');
  assert.match(s.out, /^\x1b\[2A\r\x1b\[0JWARN something\n\r\x1b\[2Kchat /, 'clears, logs, redraws');
  s.out = '';
  p.finish('completed', 10_000);
  assert.match(s.out, /^\x1b\[2A\r\x1b\[0Jchat {2}done: 11 requests in 10\.0s, 1\.1 req\/s, 10 tok\/s, 1 errors\nembed {2}done: 0 requests/);
  s.out = '';
  p.onTick(tick(3000, 30));
  assert.equal(s.out, '', 'nothing after the final line');
});

test('progress without a TTY: plain lines every interval, or every N requests', () => {
  const s = new FakeStream(false);
  const p = progressFor(s, { intervalMs: 2000 });
  for (let t = 1000; t <= 5000; t += 1000) p.onTick(tick(t, t / 100));
  const lines = s.out.trim().split('\n');
  assert.equal(lines.length, 4, s.out);
  assert.match(lines[0]!, /^\[ {2}2\.0s\] chat {2}3% {2}2\.0s\/1m00s/);
  assert.match(lines[2]!, /^\[ {2}4\.0s\] chat /);
  assert.doesNotMatch(s.out, /\x1b/);

  const s2 = new FakeStream(false);
  const p2 = progressFor(s2, { everyNRequests: 5 });
  for (let i = 0; i < 12; i++) p2.onRecord(rec(i % 2 ? 'chat' : 'embed'));
  p2.onTick(tick(10_000, 5));
  assert.equal(s2.out.trim().split('\n').length, 4, 'two lines (2 scenarios) at 5 and 10 requests; ticks print nothing');
});

test('progress fits 80 columns: short forms first, then the least important fields go; req/s, errors and TTFT stay (issue 19)', () => {
  const s = new FakeStream(true, 80);
  const p = new Progress({ stream: s, color: false });
  p.start({ plans: [{ scenario: { name: 'a-rather-long-scenario', startTimeMs: 0 } as never, plan: { durationMs: 60_000, iterations: 1000 } as never }] });
  for (let i = 0; i < 40; i++) p.onRecord(rec('a-rather-long-scenario', i % 10 ? {} : { ok: false, errorCode: 'HTTP_5XX' }));
  p.onTick({ elapsedMs: 12_000, inflight: 0, scenarios: [{ name: 'a-rather-long-scenario', progress: 0.4, activeVUs: 128, iterations: 400, plan: {} as never }] } as RunTick);
  const line = s.out.split('\r\x1b[2K')[1]!.replace(/\n$/, '');
  assert.ok([...line].length <= 79, `${[...line].length} columns: ${line}`);
  for (const must of [/req\/s|r\/s/, /err(ors)? 4/, /TTFT p50|ttft/, /40%/, /12\.0s\/~30\.0s/]) assert.match(line, must);
  // narrower still: fields are dropped, never cut mid-word while the rank-0 fields fit
  const f = [{ full: 'name', rank: 0 }, { full: '42%', rank: 0 }, { full: '10.0 req/s', short: '10.0r/s', rank: 2 }, { full: 'iters 10/100', rank: 8 }];
  assert.equal(fitLine(f, 200), 'name  42%  10.0 req/s  iters 10/100');
  assert.equal(fitLine(f, 30), 'name 42% 10.0r/s iters 10/100', 'short forms and single spaces before dropping a field');
  assert.equal(fitLine(f, 25), 'name  42%  10.0 req/s');
  assert.equal(fitLine(f, 16), 'name 42% 10.0r/s');
  assert.equal(fitLine(f, 8), 'name 42%');
});

test('progress shows the estimated end: the plan for duration-based executors, the pace (~) for iteration-based ones', () => {
  assert.equal(estimateEndMs([{ startTimeMs: 0, durationMs: 60_000, progress: 0.5 }], 30_000), 60_000);
  assert.equal(estimateEndMs([{ startTimeMs: 0, durationMs: 60_000, progress: 0.5 }], 10_000), 20_000, 'half the iterations in 10 s: about 20 s');
  assert.equal(estimateEndMs([{ startTimeMs: 5000, durationMs: 10_000, progress: 0 }, { startTimeMs: 0, durationMs: 60_000, progress: 0.5 }], 10_000), 20_000);
  assert.equal(estimateEndMs([{ startTimeMs: 0, durationMs: 60_000, progress: 1 }], 7000), 7000);
  const s = new FakeStream(false);
  const p = new Progress({ stream: s, color: false, intervalMs: 1000 });
  p.start({ plans: [{ scenario: { name: 'it', startTimeMs: 0 } as never, plan: { durationMs: 600_000, iterations: 100 } as never }] });
  p.onTick({ elapsedMs: 10_000, inflight: 0, scenarios: [{ name: 'it', progress: 0.25, activeVUs: 1, iterations: 25, plan: {} as never }] } as RunTick);
  assert.match(s.out, /it {2}25% {2}10\.0s\/~40\.0s/, 'not the 10 minutes maximum');
});

test('progress colours: on a TTY unless NO_COLOR; FORCE_COLOR forces them (0 refuses them); the text is the same', () => {
  assert.equal(colorEnabled({ isTTY: true }, {}), true);
  assert.equal(colorEnabled({ isTTY: false }, {}), false);
  assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
  assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' }), false);
  assert.equal(colorEnabled({ isTTY: true }, { FORCE_COLOR: '1', NO_COLOR: '1' }), true, 'FORCE_COLOR wins, as in Node');
  assert.equal(colorEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
  const coloured = new FakeStream(true);
  const p = progressFor(coloured, { color: true });
  p.onRecord(rec('chat', { ok: false, errorCode: 'HTTP_5XX' }));
  p.onTick(tick(1000, 10));
  assert.match(coloured.out, /\x1b\[31merrors 1\x1b\[39m/, 'errors in red');
  assert.match(coloured.out, /\x1b\[1mchat\x1b\[22m/);
  p.finish('completed', 2000);
  assert.match(coloured.out, /\x1b\[32mdone\x1b\[39m/);
  const plain = new FakeStream(true);
  const q = progressFor(plain);
  q.onTick(tick(1000, 10));
  assert.doesNotMatch(plain.out.replace(/\x1b\[\d*[AJK]|\x1b\[2K/g, ''), /\x1b\[\d+m/);
});
