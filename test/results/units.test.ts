// Units of runtime/outputs: progress rendering (TTY and plain), redaction, run directory naming,
// the buffered file writer, and the programmatic run() options (save/outDir/outputs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Progress, type ProgressStream } from '../../runtime/outputs/progress.ts';
import { createRunDir, redactArgs, redactDeep, redactUrl, safeName, timestamp } from '../../runtime/outputs/run-dir.ts';
import { BufferedFileWriter } from '../../runtime/outputs/file-writer.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import type { RunTick } from '../../runtime/engine/run.ts';
import { run } from '../../runtime/api.ts';

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

test('redaction of the stored command line and URLs', () => {
  assert.deepEqual(
    redactArgs(['run', 'x.ts', '--api-key', 'sk-1', '--api-key=sk-2', '-H', 'Authorization=Bearer x', '--header', 'X-Trace=1', '-e', 'MY_TOKEN=t', '--url', 'http://u:pw@h:8000/v1']),
    ['run', 'x.ts', '--api-key', '[REDACTED]', '--api-key=[REDACTED]', '-H', 'Authorization=[REDACTED]', '--header', 'X-Trace=1', '-e', 'MY_TOKEN=[REDACTED]', '--url', 'http://u:***@h:8000/v1'],
  );
  assert.equal(redactUrl('see https://user:secret@example.com/x'), 'see https://user:***@example.com/x');
  assert.deepEqual(
    redactDeep({ llm: { url: 'http://u:pw@h/v1', apiKey: 'k', tokenizer: 'tiktoken:o200k_base', headers: { Authorization: 'Bearer k', 'X-Auth-Token': 't', 'X-Trace': '1' } }, maxTokens: 'n' }),
    { llm: { url: 'http://u:***@h/v1', apiKey: '[REDACTED]', tokenizer: 'tiktoken:o200k_base', headers: { Authorization: '[REDACTED]', 'X-Auth-Token': '[REDACTED]', 'X-Trace': '1' } }, maxTokens: 'n' },
  );
});

test('run directory names: <name>-<YYYYmmdd-HHMMSS>, unique, safe', () => {
  const d = new Date(2025, 0, 31, 23, 5, 9);
  assert.equal(timestamp(d), '20250131-230509');
  assert.equal(safeName('my chat/test.ts'), 'my-chat-test');
  assert.equal(safeName('***'), 'run');
  const root = mkdtempSync(path.join(tmpdir(), 'llmperf-rd-'));
  const a = createRunDir({ name: 'chat.ts', root, now: d });
  const b = createRunDir({ name: 'chat.ts', root, now: d });
  assert.equal(path.basename(a), 'chat-20250131-230509');
  assert.equal(path.basename(b), 'chat-20250131-230509-2');
});

test('the file writer buffers, survives backpressure and gzips .gz paths', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-fw-'));
  const w = new BufferedFileWriter(path.join(dir, 'sub', 'p.jsonl.gz'), () => {}, { highWaterBytes: 1024 });
  await w.ready();
  const line = JSON.stringify({ x: 'y'.repeat(100) }) + '\n';
  for (let i = 0; i < 20_000; i++) w.write(line);
  await w.close();
  const text = gunzipSync(readFileSync(path.join(dir, 'sub', 'p.jsonl.gz'))).toString();
  assert.equal(text.length, line.length * 20_000);
  assert.throws(() => new BufferedFileWriter(path.join(dir, 'sub', 'p.jsonl.gz', 'nope'), () => {}), /cannot create the folder/);
  const warnings: string[] = [];
  const isDir = new BufferedFileWriter(path.join(dir, 'sub'), (l) => warnings.push(l));
  await assert.rejects(isDir.ready(), /cannot write .*sub: EISDIR/);
  isDir.write('x\n');
  await isDir.close();
  assert.equal(warnings.length, 1);
});

test('run(): no run directory unless asked; outDir writes one and returns it', async () => {
  const cwd = process.cwd();
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-api-'));
  process.chdir(dir);
  try {
    const source = `import llm from 'llmperf/llm';
export const options = { vus: 2, iterations: 6 };
export default async function () { await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 4 }); }`;
    const mockOptions = { ttft: '5ms', itl: '1ms' };
    const plain = await run({ script: { source }, mockOptions, log: () => {} });
    assert.equal(plain.runDir, undefined);
    assert.deepEqual(readdirSync(dir), []);
    const saved = await run({ script: { source }, mockOptions, log: () => {}, outDir: 'res', outputs: ['csv=res-points.csv'] });
    assert.equal(saved.runDir, path.join(dir, 'res'));
    assert.ok(existsSync(path.join(dir, 'res', 'requests.sqlite')) && existsSync(path.join(dir, 'res', 'summary.json')));
    assert.equal(readFileSync(path.join(dir, 'res-points.csv'), 'utf8').split('\n').filter((l) => l.startsWith('llm_reqs,')).length, 6);
  } finally {
    process.chdir(cwd);
  }
});

test('the store flushes synchronously when the process exits with records still buffered', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-exit-'));
  const file = path.join(dir, 'r.sqlite');
  const code = `
    import { RequestStore } from ${JSON.stringify(path.resolve('runtime/outputs/store.ts'))};
    const s = new RequestStore(${JSON.stringify(file)}, 'x', console.error, { flushMs: 60_000, maxRows: 1_000_000 });
    s.open({ name: 'x', script: 'x', startedAt: new Date().toISOString(), targetUrl: 'u', options: {}, llmperfVersion: '0' });
    for (let i = 1; i <= 500; i++) s.onRecord({ id: i, scenario: 's', vu: 1, iter: i, api: 'openai', model: 'm', url: 'u', tags: {}, plannedStart: null, start: i, startWall: i, startMono: i,
      ttfb: 1, ttft: 2, e2e: 3, tpot: null, itl: [], chunks: 1, inputTokens: 1, outputTokens: 1, inputTokenSource: 'usage', outputTokenSource: 'usage', status: 200, ok: true,
      errorCode: null, errorMessage: null, finishReason: 'stop', bytesSent: 1, bytesReceived: 1, requestBody: null, responseText: null, good: null });
    process.exit(3);`;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 3, r.stderr);
  const { countRows } = await import('./helpers.ts');
  assert.equal(countRows(file), 500);
});
