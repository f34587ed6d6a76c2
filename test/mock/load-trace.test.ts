import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startMockServer } from '../../runtime/mock/index.ts';
import { chatBody, contentEvents, get, json, sse } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mock server: load mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmperf-mock-load-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('ttft = ttftMs + k*ttftPerInflightMs and itl = itlMs + k*itlPerInflightMs, k = in flight at arrival', async () => {
    // Judged on the server's own trace (when each request arrived, when its first and last chunks
    // were written): deadlines are never early, so the formula is a floor; how late the server's
    // event loop runs on a busy machine only loosens the ceiling. Each request lasts > 1 s, so all
    // 8 are in flight when the last one arrives even if the sending loop stalls.
    const file = join(dir, 'load.jsonl');
    const s = await startMockServer({ ttftMs: 300, itlMs: 4, outputTokens: 40, traceFile: file, load: { ttftPerInflightMs: 20, itlPerInflightMs: 3 } });
    const N = 8;
    let results;
    try {
      await get(s.url.replace('/v1', '/health'));
      const runs = [];
      for (let i = 0; i < N; i++) {
        runs.push(sse(`${s.url}/chat/completions`, chatBody()));
        await sleep(5);
      }
      results = await Promise.all(runs);
    } finally { await s.close(); }
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { recv: number; first: number; last: number; chunks: number });
    assert.equal(lines.length, N);
    lines.sort((a, b) => a.recv - b.recv);
    assert.ok(lines.at(-1)!.recv < lines[0]!.last, 'all in flight together');
    const SLACK = 400;
    lines.forEach((l, k) => {
      const ttft = 300 + k * 20;
      const itl = 4 + k * 3;
      const e2e = ttft + (l.chunks - 1) * itl;
      assert.equal(l.chunks, 40);
      assert.ok(l.first - l.recv >= ttft - 0.5 && l.first - l.recv < ttft + SLACK, `request ${k}: ttft ${l.first - l.recv}, expected ${ttft}`);
      assert.ok(l.last - l.recv >= e2e - 0.5 && l.last - l.recv < e2e + SLACK, `request ${k}: e2e ${l.last - l.recv}, expected ${e2e}`);
    });
    // without load mode the last request would take 300 + 39*4 = 456 ms; with it, >= 440 + 39*25 = 1415 ms
    // the clients saw the same: nothing arrives before the server wrote it
    const clientE2e = results.map((r) => contentEvents(r).at(-1)!.t).sort((a, b) => a - b);
    assert.ok(clientE2e.at(-1)! >= 440 + 39 * 25 - 5, `slowest client e2e ${clientE2e.at(-1)}`);
  });
});

describe('mock server: trace file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmperf-mock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('one JSON line per finished request, monotonic ms, flushed on close()', async () => {
    const file = join(dir, 'trace.jsonl');
    const s = await startMockServer({ ttftMs: 30, itlMs: 5, outputTokens: 6, traceFile: file });
    const t0 = Number(process.hrtime.bigint()) / 1e6;
    await sse(`${s.url}/chat/completions`, chatBody());
    await json(`${s.url}/completions`, { prompt: 'x', max_tokens: 2 });
    await json(`${s.url}/chat/completions`, chatBody(), { 'x-mock-fault': 'http_500' });
    await sse(`${s.url}/chat/completions`, chatBody(), { 'x-mock-fault': 'reset' });
    await s.close();
    const t1 = Number(process.hrtime.bigint()) / 1e6;
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 4);
    const [a, b, c, d] = lines;
    assert.deepEqual(Object.keys(a).slice(0, 8), ['id', 'route', 'recv', 'first', 'last', 'chunks', 'outputTokens', 'fault']);
    assert.equal(a.route, 'chat');
    assert.ok(a.recv > t0 && a.last < t1);
    // Deadlines are absolute from recv: the first at +30ms, the last at +30+5*5ms (never early).
    // (upper bounds generous: the server's event loop runs late on a busy machine)
    assert.ok(a.first - a.recv >= 30 && a.first - a.recv < 330, `server ttft ${a.first - a.recv}`);
    assert.ok(a.last - a.recv >= 55 && a.last - a.recv < 355, `server e2e ${a.last - a.recv}`);
    assert.equal(a.chunks, 6);
    assert.equal(a.outputTokens, 6);
    assert.equal(a.fault, null);
    assert.equal(b.route, 'completions');
    assert.equal(b.outputTokens, 2);
    assert.equal(b.first, b.last);
    assert.equal(c.fault, 'http_500');
    assert.equal(c.status, 500);
    assert.equal(c.first, null);
    assert.equal(d.fault, 'reset');
    assert.equal(d.outcome, 'reset');
    assert.equal(d.chunks, 3);
  });

  test('a client that goes away mid-stream is traced as aborted and leaves no request in flight', async () => {
    const file = join(dir, 'abort.jsonl');
    const s = await startMockServer({ ttftMs: 0, itlMs: 20, outputTokens: 100, traceFile: file });
    const ac = new AbortController();
    const res = await fetch(`${s.url}/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody()), signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await sleep(50);
    const st = s.stats();
    assert.equal(st.inflight, 0);
    assert.equal(st.aborted, 1);
    await s.close();
    const line = JSON.parse(readFileSync(file, 'utf8').trim());
    assert.equal(line.outcome, 'aborted');
  });
});
