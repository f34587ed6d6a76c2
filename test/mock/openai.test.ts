import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../runtime/errors.ts';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { chatBody, contentEvents, contentText, get, json, post, sse } from './helpers.ts';

describe('mock server: OpenAI routes', () => {
  let s: MockServer;
  before(async () => {
    s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 8 });
    await get(s.url.replace('/v1', '/health')); // warm the connection pool
  });
  after(() => s.close());

  test('streaming chat: role chunk, N content chunks, finish_reason, usage chunk, [DONE]', async () => {
    const r = await sse(`${s.url}/chat/completions`, chatBody({ stream_options: { include_usage: true } }));
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/event-stream/);
    const ev = r.events;
    assert.deepEqual(ev[0]!.json.choices[0].delta, { role: 'assistant', content: '' });
    const content = contentEvents(r);
    assert.equal(content.length, 8);
    for (const e of content) {
      assert.match(e.json.choices[0].delta.content, /^ [a-z]+$/);
      assert.equal(e.json.object, 'chat.completion.chunk');
      assert.equal(e.json.model, 'test-model');
      assert.equal(typeof e.json.id, 'string');
      assert.equal(typeof e.json.created, 'number');
    }
    assert.equal(content.at(-1)!.json.choices[0].finish_reason, 'stop');
    assert.ok(content.slice(0, -1).every((e) => e.json.choices[0].finish_reason === null));
    const usage = ev.at(-2)!.json;
    assert.deepEqual(usage.choices, []);
    const promptTokens = Math.ceil('Say something, please.'.length / 4);
    assert.deepEqual(usage.usage, { prompt_tokens: promptTokens, completion_tokens: 8, total_tokens: promptTokens + 8 });
    assert.equal(ev.at(-1)!.data, '[DONE]');
    assert.equal(ev.length, 1 + 8 + 2);
  });

  test('no usage chunk unless asked with stream_options.include_usage', async () => {
    const r = await sse(`${s.url}/chat/completions`, chatBody());
    assert.ok(!r.events.some((e) => e.json?.usage));
    assert.equal(r.events.at(-1)!.data, '[DONE]');
  });

  test('usage option off: no usage chunk even when asked', async () => {
    const s2 = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 3, usage: false });
    try {
      const r = await sse(`${s2.url}/chat/completions`, chatBody({ stream_options: { include_usage: true } }));
      assert.ok(!r.events.some((e) => e.json?.usage));
      assert.equal(contentEvents(r).length, 3);
    } finally { await s2.close(); }
  });

  test('max_tokens and max_completion_tokens cap the output with finish_reason "length"; min_tokens raises it', async () => {
    let r = await sse(`${s.url}/chat/completions`, chatBody({ max_tokens: 3 }));
    assert.equal(contentEvents(r).length, 3);
    assert.equal(contentEvents(r).at(-1)!.json.choices[0].finish_reason, 'length');
    r = await sse(`${s.url}/chat/completions`, chatBody({ max_tokens: 100, max_completion_tokens: 5 }));
    assert.equal(contentEvents(r).length, 5);
    r = await sse(`${s.url}/chat/completions`, chatBody({ max_tokens: 100 }));
    assert.equal(contentEvents(r).length, 8);
    assert.equal(contentEvents(r).at(-1)!.json.choices[0].finish_reason, 'stop');
    r = await sse(`${s.url}/chat/completions`, chatBody({ min_tokens: 12 }));
    assert.equal(contentEvents(r).length, 12);
    r = await sse(`${s.url}/chat/completions`, chatBody({ max_tokens: 20, ignore_eos: true }));
    assert.equal(contentEvents(r).length, 20);
  });

  test('tokens per chunk: chunks carry k tokens, usage counts tokens', async () => {
    const s2 = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 10, tokensPerChunk: 4, eventsPerWrite: 3 });
    try {
      const r = await sse(`${s2.url}/chat/completions`, chatBody({ stream_options: { include_usage: true } }));
      const words = contentEvents(r).map((e) => e.json.choices[0].delta.content.split(' ').length - 1);
      assert.deepEqual(words, [4, 4, 2]);
      assert.equal(r.events.at(-2)!.json.usage.completion_tokens, 10);
    } finally { await s2.close(); }
  });

  test('non-streaming chat returns one JSON body with usage after ttft + (n-1)*itl', async () => {
    const s2 = await startMockServer({ ttftMs: 40, itlMs: 5, outputTokens: 5 });
    try {
      const r = await json(`${s2.url}/chat/completions`, { messages: [{ role: 'user', content: 'abcdefgh' }], max_tokens: 4 });
      assert.equal(r.status, 200);
      assert.equal(r.json.object, 'chat.completion');
      assert.equal(r.json.model, 'mock-llm');
      assert.equal(r.json.choices[0].message.role, 'assistant');
      assert.equal(r.json.choices[0].message.content.split(' ').length - 1, 4);
      assert.equal(r.json.choices[0].finish_reason, 'length');
      assert.deepEqual(r.json.usage, { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
      assert.ok(r.end >= 54 && r.end < 120, `e2e ${r.end}`);
    } finally { await s2.close(); }
  });

  test('completions: streaming uses choices[0].text and no role chunk; non-streaming too; path without /v1', async () => {
    const r = await sse(`${s.url}/completions`, { model: 'm', prompt: 'hello world', stream: true, max_tokens: 4 });
    assert.equal(r.events[0]!.json.object, 'text_completion');
    assert.equal(contentEvents(r).length, 4);
    assert.equal(r.events.length, 5);
    assert.equal(contentEvents(r).at(-1)!.json.choices[0].finish_reason, 'length');
    const base = s.url.replace(/\/v1$/, '');
    const j = await json(`${base}/completions`, { prompt: ['ab', 'cdefg'] });
    assert.equal(j.json.object, 'text_completion');
    assert.equal(j.json.choices[0].text.split(' ').length - 1, 8);
    assert.equal(j.json.usage.prompt_tokens, 1 + 2);
    const c = await sse(`${base}/chat/completions`, chatBody());
    assert.equal(contentEvents(c).length, 8);
  });

  test('/v1/models, /health, /mock/stats, 404, 405 and bad JSON', async () => {
    const m = await get(`${s.url}/models`);
    assert.equal(m.json.object, 'list');
    assert.equal(m.json.data[0].id, 'mock-llm');
    const base = s.url.replace(/\/v1$/, '');
    assert.deepEqual((await get(`${base}/health`)).json, { status: 'ok' });
    const st = await get(`${base}/mock/stats`);
    assert.ok(st.json.requests >= 1 && st.json.byRoute.chat >= 1);
    const nf = await get(`${base}/nope`);
    assert.equal(nf.status, 404);
    assert.equal(typeof nf.json.error.message, 'string');
    const bad = await json(`${s.url}/chat/completions`, '{"messages": [');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.type, 'invalid_request_error');
    const noMsgs = await json(`${s.url}/chat/completions`, { model: 'x' });
    assert.equal(noMsgs.status, 400);
    const badMax = await json(`${s.url}/chat/completions`, chatBody({ max_tokens: 0 }));
    assert.equal(badMax.status, 400);
    const wrongMethod = await get(`${s.url}/chat/completions`);
    assert.equal(wrongMethod.status, 405);
  });

  test('stats count generation requests, in flight and completed', async () => {
    const s2 = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 2 });
    try {
      await sse(`${s2.url}/chat/completions`, chatBody());
      await json(`${s2.url}/completions`, { prompt: 'x' });
      await get(`${s2.url}/models`);
      const st = s2.stats();
      assert.equal(st.requests, 2);
      assert.equal(st.inflight, 0);
      assert.equal(st.completed, 2);
      assert.deepEqual(st.byRoute, { chat: 1, completions: 1, models: 1 });
    } finally { await s2.close(); }
  });
});

describe('mock server: timing', () => {
  test('ttft and itl at low load, measured by a real client, within a few ms', async () => {
    const s = await startMockServer({ ttftMs: 300, itlMs: 20, outputTokens: 10 });
    try {
      await get(s.url.replace('/v1', '/health'));
      const r = await sse(`${s.url}/chat/completions`, chatBody());
      assert.ok(r.events[0]!.t < 295, `role chunk at ${r.events[0]!.t}ms should come with the headers, before the first token is due`);
      const c = contentEvents(r);
      assert.equal(c.length, 10);
      assert.ok(c[0]!.t >= 295 && c[0]!.t <= 1300, `ttft ${c[0]!.t}`);
      // absolute deadlines: never early. How late a chunk is read depends on the scheduler (on a busy
      // machine two chunks can arrive in one read, a gap of ~0): bounded only to catch a wrong unit.
      for (let i = 1; i < c.length; i++) assert.ok(c[i]!.t >= 295 + i * 20 && c[i]!.t <= 1300 + i * 20, `chunk ${i} at ${c[i]!.t}`);
    } finally { await s.close(); }
  });

  test('per-request timing overrides in the body', async () => {
    const s = await startMockServer({ ttftMs: 500, itlMs: 100, outputTokens: 50 });
    try {
      const r = await sse(`${s.url}/chat/completions`, chatBody({ mock: { ttft_ms: 30, itl_ms: 2, output_tokens: 6 } }));
      const c = contentEvents(r);
      assert.equal(c.length, 6);
      // the server's own figures would give a TTFT of 500 ms and 5 gaps of 100 ms: bounds far from both
      assert.ok(c[0]!.t >= 28 && c[0]!.t < 400, `ttft ${c[0]!.t}`);
      assert.ok(c.at(-1)!.t - c[0]!.t < 400, `first to last ${c.at(-1)!.t - c[0]!.t}`);
    } finally { await s.close(); }
  });

  test('itl=0 streams thousands of events quickly, batched by eventsPerWrite', async () => {
    const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: 20000, eventsPerWrite: 16 });
    try {
      const t0 = performance.now();
      const r = await sse(`${s.url}/chat/completions`, chatBody());
      assert.equal(contentEvents(r).length, 20000);
      assert.ok(performance.now() - t0 < 3000);
    } finally { await s.close(); }
  });
});

describe('mock server: output lengths', () => {
  async function lengths(seed: number, n: number): Promise<number[]> {
    const s = await startMockServer({ ttftMs: 0, itlMs: 0, outputTokens: { min: 5, max: 40 }, seed });
    try {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(contentEvents(await sse(`${s.url}/chat/completions`, chatBody())).length);
      return out;
    } finally { await s.close(); }
  }

  test('a range draws uniformly per request, deterministic per seed', async () => {
    const a = await lengths(7, 12);
    const b = await lengths(7, 12);
    const c = await lengths(8, 12);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    for (const n of [...a, ...c]) assert.ok(n >= 5 && n <= 40, `length ${n}`);
    assert.ok(new Set(a).size > 3, `lengths vary: ${a}`);
  });

  test('the same seed gives the same words', async () => {
    const text = async (): Promise<string> => {
      const s = await startMockServer({ ttftMs: 0, itlMs: 0, seed: 3 });
      try { return contentText(await sse(`${s.url}/chat/completions`, chatBody())); } finally { await s.close(); }
    };
    assert.equal(await text(), await text());
  });
});

describe('mock server: listening', () => {
  test('port in use is a ConfigError that says what to do', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startMockServer({ port }), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, 104);
        assert.equal(e.message, `port ${port} is already in use: pick another with --port, or --port 0 for a free one`);
        return true;
      });
    } finally { blocker.close(); }
  });

  test('close() ends open streams and releases the port', async () => {
    const s = await startMockServer({ ttftMs: 0, itlMs: 50, outputTokens: 1000 });
    const pending = sse(`${s.url}/chat/completions`, chatBody());
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.stats().inflight, 1);
    const t0 = performance.now();
    await s.close();
    assert.ok(performance.now() - t0 < 5000, 'the stream (50 s long) is cut, not waited for');
    const r = await pending;
    assert.ok(r.error || contentEvents(r).length < 1000);
    const again = await startMockServer({ port: s.port });
    await again.close();
    await assert.rejects(post(`${s.url}/chat/completions`, chatBody()));
  });
});
