// Units of runtime/outputs/progress.ts: live progress rendering on a TTY and in plain logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, type ProgressStream } from '../../runtime/outputs/progress.ts';
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

function progressFor(stream: FakeStream, opts: { intervalMs?: number; everyNRequests?: number } = {}): Progress {
  const p = new Progress({ stream, ...opts });
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
  assert.match(s.out, /chat {2}\[.*\] +2% {2}1\.0s\/1m00s {2}reqs 11 {2}iters 10\/100 {2}VUs 4 .* tok\/s {2}TTFT p50 40ms {2}errors 1\n/);
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
