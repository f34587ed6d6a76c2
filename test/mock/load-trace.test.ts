import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startMockServer } from '../../runtime/mock/index.ts';
import { chatBody, contentEvents, get, json, sse } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mock server: load mode', () => {
  test('ttft = ttftMs + k*ttftPerInflightMs and itl = itlMs + k*itlPerInflightMs, k = in flight at arrival', async () => {
    const s = await startMockServer({ ttftMs: 100, itlMs: 4, outputTokens: 4, load: { ttftPerInflightMs: 20, itlPerInflightMs: 3 } });
    try {
      await get(s.url.replace('/v1', '/health'));
      const N = 8;
      const runs = [];
      for (let i = 0; i < N; i++) {
        runs.push(sse(`${s.url}/chat/completions`, chatBody()));
        await sleep(5); // arrive in order, all before the first one ends
      }
      const results = await Promise.all(runs);
      const ttft = results.map((r) => contentEvents(r)[0]!.t);
      assert.ok(ttft[0]! >= 95 && ttft[0]! < 170, `first ttft ${ttft[0]}`);
      const k = N - 1;
      const expected = 100 + k * 20;
      assert.ok(ttft[k]! >= expected - 5 && ttft[k]! < expected + 40, `last ttft ${ttft[k]}, expected ${expected}`);
      // each later arrival sees one more request in flight: +20 ms each (bounds generous for a loaded host)
      // (the first request also pays for the process's first connection: compare from the second on)
      for (let i = 2; i < N; i++) assert.ok(ttft[i]! > ttft[i - 1]!, `ttft grows: ${ttft.map((t) => t.toFixed(0))}`);
      assert.ok(ttft[k]! - ttft[1]! > (k - 1) * 20 * 0.6, `ttft grows by ~20 ms per request in flight: ${ttft.map((t) => t.toFixed(0))}`);
      const last = contentEvents(results[k]!);
      const itl = (last.at(-1)!.t - last[0]!.t) / (last.length - 1);
      assert.ok(Math.abs(itl - (4 + k * 3)) < 5, `last itl ${itl}, expected ${4 + k * 3}`);
    } finally { await s.close(); }
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
    assert.ok(a.first - a.recv >= 30 && a.first - a.recv < 45, `server ttft ${a.first - a.recv}`);
    assert.ok(a.last - a.recv >= 55 && a.last - a.recv < 70, `server e2e ${a.last - a.recv}`);
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
