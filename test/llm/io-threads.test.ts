// The I/O threads (runtime/llm/io/): requests written and timed on worker threads. Every request is
// accounted for and no chunk is lost whatever the thread count; the times come back in the main
// thread's time base (checked against the mock's own trace of when it really sent each chunk); a
// SIGINT stops a run on several threads with its store intact; a VU that fails stays contained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../runtime/api.ts';
import { startMockServer } from '../../runtime/mock/index.ts';
import type { RequestRecord } from '../../runtime/llm/types.ts';
import type { SummaryData } from '../../runtime/summary/data.ts';
import { defaultIoThreads } from '../../runtime/llm/client.ts';
import { runCli, startMockProcess, tempFiles } from '../helpers.ts';
import { chatScript, countRows, waitFor, withDb } from '../results/helpers.ts';

const SCRIPT = `import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 24, iterations: 96 } } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 12 }, { headers: { 'x-request-id': __ENV.P + __VU + '-' + __ITER } });
}
`;

interface TraceLine { requestId?: string; recv: number; first: number | null; last: number | null; chunks: number; outcome: string }

test('every request and every chunk is accounted for with 0, 1 and 3 I/O threads; times match the mock trace', async () => {
  const dir = tempFiles({ 's.ts': SCRIPT });
  const traceFile = path.join(dir, 'trace.jsonl');
  const mock = await startMockProcess(['--ttft', '30ms', '--itl', '3ms', '--output-tokens', '12', '--trace-file', traceFile]);
  const totals: Array<{ io: number; requests: number; chunks: number; outputTokens: number }> = [];
  const recs: Array<{ rid: string; r: RequestRecord }> = [];
  try {
    for (const io of [0, 1, 3]) {
      const mine: RequestRecord[] = [];
      const before = (await mock.stats()).completed;
      const out = await run({ script: path.join(dir, 's.ts'), env: { P: `io${io}-` }, ioThreads: io, overrides: { url: mock.url }, testConnection: false, log: () => {}, listeners: [{ onRecord: (r) => mine.push(r) }] });
      assert.equal(out.exitCode, 0);
      assert.equal(out.summary.client?.ioThreads, io);
      assert.equal((await mock.stats()).completed - before, 96, 'the mock served every request once');
      assert.equal(mine.length, 96);
      for (const r of mine) {
        assert.ok(r.ok, r.errorMessage ?? '');
        assert.equal(r.chunks, 12, 'no chunk lost or split');
        // a response whose events the client read all at once (a main thread busy with 24 VUs, --io-threads 0) has no ITL to tell
        assert.equal(r.itl.length, r.streamCheck === 'ok' ? 11 : 0, `${r.streamCheck}`);
        assert.ok(r.ttfb! <= r.ttft! && r.ttft! <= r.e2e!, 'ttfb <= ttft <= e2e');
        recs.push({ rid: `io${io}-${r.vu}-${r.iter}`, r });
      }
      totals.push({ io, requests: out.summary.llm.requests, chunks: mine.reduce((a, r) => a + r.chunks, 0), outputTokens: out.summary.llm.outputTokens });
    }
  } finally {
    await mock.close();
  }
  for (const t of totals) assert.deepEqual({ requests: t.requests, chunks: t.chunks, outputTokens: t.outputTokens }, { requests: 96, chunks: 96 * 12, outputTokens: 96 * 12 }, `--io-threads ${t.io}`);

  // The trace has when the mock received each request and really wrote its first and last chunk
  // (CLOCK_MONOTONIC). A client time can't be earlier than the server's (a time base off by the
  // threads' origin difference would show here), and on loopback it follows within a few ms:
  // generous upper bounds, the machine is shared.
  const trace = new Map(readFileSync(traceFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceLine).map((l) => [l.requestId!, l]));
  const sendErr: number[] = [];
  const firstErr: number[] = [];
  const lastErr: number[] = [];
  for (const { rid, r } of recs) {
    const tl = trace.get(rid);
    assert.ok(tl && tl.first !== null && tl.last !== null, `trace line for ${rid}`);
    sendErr.push(tl.recv - r.startMono);
    firstErr.push(r.startMono + r.ttft! - tl.first);
    lastErr.push(r.startMono + r.e2e! - tl.last);
  }
  // The mock stamps right after its write returns: a busy machine may run the client's read first,
  // so single requests may show a client time a little before the server's; a time base off by the
  // threads' origin difference would shift every request.
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  for (const [what, errs] of [['request received by the mock', sendErr], ['first chunk', firstErr], ['last chunk', lastErr]] as const) {
    assert.ok(median(errs) > -0.5, `${what}: median ${median(errs)} ms before the other side's time`);
    assert.ok(Math.min(...errs) > -10 && Math.max(...errs) < 2000, `${what}: from ${Math.min(...errs)} to ${Math.max(...errs)} ms`);
  }
});

test('the default number of I/O threads: half the cores, 1 to 8', () => {
  assert.deepEqual([1, 2, 3, 4, 16, 64].map((c) => defaultIoThreads(c)), [1, 1, 1, 2, 8, 8]);
});

test('--io-threads must be a whole number from 0 to 64', async () => {
  const dir = tempFiles({ 's.ts': chatScript(0) });
  const r = await runCli(['run', 's.ts', '--io-threads', '-1', '--no-save', '-q'], { cwd: dir });
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--io-threads -1: give a whole number from 0/);
});

test('SIGINT mid-run on 2 I/O threads: exit 105, the summary written, the store holds every request of the summary', async () => {
  const dir = tempFiles({ 'slow.ts': chatScript(0) });
  const out = path.join(dir, 'out');
  let pid = 0;
  const p = runCli(['run', 'slow.ts', '--io-threads', '2', '--mock', 'ttft=50ms', '--mock', 'itl=5ms', '--mock', 'output-tokens=8', '--out-dir', 'out', '-q'], { cwd: dir, onSpawn: (x) => (pid = x), timeoutMs: 60_000 });
  await waitFor(() => countRows(path.join(out, 'requests.sqlite')) >= 8, 30_000, 'rows in requests.sqlite');
  process.kill(pid, 'SIGINT');
  const r = await p;
  assert.equal(r.code, 105, r.stderr);
  const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as SummaryData;
  assert.equal(summary.state.stopReason, 'interrupted');
  assert.equal(summary.client?.ioThreads, 2);
  withDb(path.join(out, 'requests.sqlite'), (d) => {
    assert.equal((d.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
    const n = (d.prepare(`SELECT count(*) AS n FROM requests WHERE coalesce(error_code, '') <> 'ABORTED'`).get() as { n: number }).n;
    assert.equal(n, summary.llm.requests);
  });
});

test('a VU that loops holds up the main thread, not the timestamps: requests in flight meanwhile keep their true times', async () => {
  const mock = await startMockProcess(['--ttft', '20ms', '--itl', '2ms', '--output-tokens', '6']);
  try {
    // VU 1 loops for 2 s (its iteration is then stopped by iterationTimeout) while the other VUs'
    // requests are in flight: the I/O thread times their bytes meanwhile, so none of them shows the
    // 2 s the main thread was blocked (with --io-threads 0 they would).
    const src = `import llm from 'llmperf/llm';
import { sleep } from 'llmperf';
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 6, iterations: 3 } }, iterationTimeout: '2s' };
export default async function () {
  if (__VU === 1 && __ITER === 1) { await sleep(0.015); const t = Date.now(); while (Date.now() - t < 4000) {} }
  const r = await llm.chat({ messages: [{ role: 'user', content: 'x' }], max_tokens: 6 });
  if (!r.ok) throw new Error(r.error.message);
}`;
    const recs: RequestRecord[] = [];
    const out = await run({ script: { source: src }, ioThreads: 2, overrides: { url: mock.url }, testConnection: false, log: () => {}, listeners: [{ onRecord: (r) => recs.push(r) }] });
    assert.ok(recs.length >= 15, `${recs.length} requests`);
    assert.ok(recs.every((r) => r.ok), 'every request that was sent succeeded');
    const slowest = Math.max(...recs.map((r) => r.e2e!));
    assert.ok(slowest < 1500, `the slowest request took ${slowest} ms: its bytes waited for the blocked main thread`);
    assert.ok(out.summary.scriptErrors.some((e) => /without yielding|CPU/i.test(e.message)), JSON.stringify(out.summary.scriptErrors));
  } finally {
    await mock.close();
  }
});
