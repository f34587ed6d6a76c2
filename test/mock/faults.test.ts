import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { agent, chatBody, contentEvents, json, sse, type SseResult } from './helpers.ts';

/** Each fault is exercised twice: named in the x-mock-fault header, and in the body field "mock". */
const ways = [
  { name: 'header', ask: (fault: string, ms?: number) => ({ headers: { 'x-mock-fault': ms === undefined ? fault : `${fault};ms=${ms}` }, mock: undefined }) },
  { name: 'body', ask: (fault: string, ms?: number) => ({ headers: {}, mock: ms === undefined ? { fault } : { fault, ms } }) },
];

describe('mock server: faults on request', () => {
  let s: MockServer;
  before(async () => { s = await startMockServer({ ttftMs: 5, itlMs: 2, outputTokens: 10 }); });
  after(() => s.close());

  const stream = (fault: string, how: (typeof ways)[number], extra: Record<string, unknown> = {}, ms?: number): Promise<SseResult> => {
    const { headers, mock } = how.ask(fault, ms);
    return sse(`${s.url}/chat/completions`, chatBody({ ...extra, ...(mock ? { mock } : {}) }), headers);
  };

  for (const how of ways) {
    describe(`by ${how.name}`, () => {
      for (const status of [429, 500, 503]) {
        test(`http_${status}`, async () => {
          const before = s.stats().faults[`http_${status}`] ?? 0;
          const { headers, mock } = how.ask(`http_${status}`);
          const r = await json(`${s.url}/chat/completions`, chatBody(mock ? { mock } : {}), headers);
          assert.equal(r.status, status);
          assert.equal(typeof r.json.error.message, 'string');
          if (status === 429) assert.equal(r.headers['retry-after'], '1');
          assert.equal(s.stats().faults[`http_${status}`], before + 1);
        });
      }

      test('reset: the connection is reset after half the chunks', async () => {
        const r = await stream('reset', how);
        assert.ok(r.error, 'the body should fail');
        const n = contentEvents(r).length;
        assert.ok(n <= 5, `got ${n} content chunks before the reset`);
        const j = await (async () => {
          const { headers, mock } = how.ask('reset');
          return json(`${s.url}/chat/completions`, chatBody({ stream: false, ...(mock ? { mock } : {}) }), headers);
        })();
        assert.ok(j.error, 'non-streaming body should fail too');
      });

      test('stall: a pause of ms mid-stream, then the rest', async () => {
        const r = await stream('stall', how, {}, 250);
        const c = contentEvents(r);
        assert.equal(c.length, 10);
        const gaps = c.slice(1).map((e, i) => e.t - c[i]!.t);
        const big = gaps.filter((g) => g >= 230);
        assert.equal(big.length, 1, `gaps ${gaps.map((g) => g.toFixed(1))}`);
        assert.ok(Math.max(...gaps) < 320);
        assert.equal(r.events.at(-1)!.data, '[DONE]');
      });

      test('bad_sse: a malformed line without a data field mid-stream', async () => {
        const r = await stream('bad_sse', how);
        assert.ok(r.events.some((e) => e.data === undefined && /^dat: /m.test(e.raw)));
        assert.equal(contentEvents(r).length, 10);
        assert.equal(r.events.at(-1)!.data, '[DONE]');
      });

      test('bad_json: a data event that is not JSON', async () => {
        const r = await stream('bad_json', how);
        assert.ok(r.events.some((e) => e.data === '{"choices":['));
        assert.equal(contentEvents(r).length, 10);
      });

      test('no_done: the stream ends without [DONE]', async () => {
        const r = await stream('no_done', how, { stream_options: { include_usage: true } });
        assert.equal(r.error, undefined);
        assert.ok(!r.events.some((e) => e.data === '[DONE]'));
        assert.ok(r.events.at(-1)!.json.usage);
      });

      test('slow_headers: status and headers come late', async () => {
        const { headers, mock } = how.ask('slow_headers', 200);
        const t0 = performance.now();
        const res = await request(`${s.url}/chat/completions`, {
          method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(chatBody(mock ? { mock } : {})),
        });
        const th = performance.now() - t0;
        await res.body.text();
        assert.ok(th >= 195 && th < 2000, `headers after ${th}ms`);
      });

      test('long_output: ignores max_tokens and sends 10x', async () => {
        const r = await stream('long_output', how, { max_tokens: 4 });
        assert.equal(contentEvents(r).length, 40);
      });

      test('jitter: the delays vary around itl', async () => {
        const { headers, mock } = how.ask('jitter');
        const s2 = await startMockServer({ ttftMs: 5, itlMs: 10, outputTokens: 20, jitterPct: 0.8 });
        try {
          const r = await sse(`${s2.url}/chat/completions`, chatBody(mock ? { mock } : {}), headers);
          const c = contentEvents(r);
          const gaps = c.slice(1).map((e, i) => e.t - c[i]!.t);
          assert.ok(Math.max(...gaps) - Math.min(...gaps) > 5, `gaps ${gaps.map((g) => g.toFixed(1))}`);
          assert.equal(s2.stats().faults.jitter, 1);
        } finally { await s2.close(); }
      });
    });
  }

  test('several faults at once, and an unknown fault is a 400', async () => {
    const r = await sse(`${s.url}/chat/completions`, chatBody(), { 'x-mock-fault': 'bad_json, no_done' });
    assert.ok(r.events.some((e) => e.data === '{"choices":['));
    assert.ok(!r.events.some((e) => e.data === '[DONE]'));
    const bad = await json(`${s.url}/chat/completions`, chatBody(), { 'x-mock-fault': 'explode' });
    assert.equal(bad.status, 400);
    const badBody = await json(`${s.url}/chat/completions`, chatBody({ mock: { fault: 'explode' } }));
    assert.equal(badBody.status, 400);
  });
});

describe('mock server: fault rates', () => {
  test('rate 1 always, rate 0 never, counted in stats', async () => {
    const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 3, faults: { http_500: 1, reset: 0 } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await json(`${s.url}/chat/completions`, chatBody())).status, 500);
      assert.deepEqual(s.stats().faults, { http_500: 5 });
    } finally { await s.close(); }
    const s0 = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 3, faults: { http_500: 0, bad_json: 0 } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await json(`${s0.url}/chat/completions`, chatBody())).status, 200);
      assert.deepEqual(s0.stats().faults, {});
    } finally { await s0.close(); }
  });

  test('a middling rate is seeded: same seed, same requests fail', async () => {
    const run = async (seed: number): Promise<number[]> => {
      const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 2, seed, faults: { http_503: 0.3 } });
      try {
        const out: number[] = [];
        for (let i = 0; i < 40; i++) out.push((await json(`${s.url}/chat/completions`, chatBody())).status);
        return out;
      } finally { await s.close(); }
    };
    const a = await run(5);
    assert.deepEqual(a, await run(5));
    const failed = a.filter((x) => x === 503).length;
    assert.ok(failed >= 4 && failed <= 22, `${failed} of 40 failed`);
  });

  test('an explicit request fault replaces the random ones', async () => {
    const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 3, faults: { http_500: 1 } });
    try {
      const r = await sse(`${s.url}/chat/completions`, chatBody(), { 'x-mock-fault': 'no_done' });
      assert.equal(r.status, 200);
      assert.deepEqual(s.stats().faults, { no_done: 1 });
    } finally { await s.close(); }
  });

  test('stall and slow_headers durations come from the fault options', async () => {
    const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 4, faults: { stall: 1, stallMs: 150 } });
    try {
      const r = await sse(`${s.url}/chat/completions`, chatBody());
      assert.ok(r.end >= 145 && r.end < 250, `e2e ${r.end}`);
    } finally { await s.close(); }
  });
});
