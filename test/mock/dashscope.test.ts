import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { json, sse, type SseEvent } from './helpers.ts';

const PATH = '/api/v1/services/aigc/text-generation/generation';
const SSE = { 'X-DashScope-SSE': 'enable' };

describe('mock server: DashScope native route', () => {
  let s: MockServer;
  let url: string;
  before(async () => {
    s = await startMockServer({ ttftMs: 0, itlMs: 1, outputTokens: 6 });
    url = s.url.replace(/\/v1$/, '') + PATH;
  });
  after(() => s.close());

  const body = (parameters: Record<string, unknown> = {}) => ({
    model: 'qwen-plus', input: { messages: [{ role: 'user', content: 'twelve chars' }] }, parameters,
  });
  const content = (e: SseEvent): string => e.json.output.choices[0].message.content;

  test('streaming, incremental, message format: one event per token, usage so far, finish_reason', async () => {
    const r = await sse(url, body({ incremental_output: true, result_format: 'message' }), SSE);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/event-stream/);
    assert.equal(r.events.length, 6);
    r.events.forEach((e, i) => {
      const lines = e.raw.split('\n');
      assert.equal(lines[0], `id:${i + 1}`);
      assert.equal(lines[1], 'event:result');
      assert.equal(lines[2], ':HTTP_STATUS/200');
      assert.ok(lines[3]!.startsWith('data:{'));
      assert.match(content(e), /^ [a-z]+$/);
      assert.equal(e.json.output.choices[0].message.role, 'assistant');
      assert.deepEqual(e.json.usage, { input_tokens: 3, output_tokens: i + 1, total_tokens: 3 + i + 1 });
      assert.equal(typeof e.json.request_id, 'string');
      assert.equal(e.json.output.choices[0].finish_reason, i === 5 ? 'stop' : 'null');
    });
  });

  test('streaming, cumulative (incremental_output false): each event repeats the text so far', async () => {
    const r = await sse(url, body({ result_format: 'message' }), SSE);
    const texts = r.events.map(content);
    assert.equal(texts.length, 6);
    for (let i = 1; i < texts.length; i++) {
      assert.ok(texts[i]!.startsWith(texts[i - 1]!));
      assert.equal(texts[i]!.split(' ').length - 1, i + 1);
    }
  });

  test('streaming with Accept: text/event-stream, text format, max_tokens cap', async () => {
    const r = await sse(url, { model: 'qwen', input: { prompt: 'hi' }, parameters: { incremental_output: true, max_tokens: 4 } }, { accept: 'text/event-stream' });
    assert.equal(r.events.length, 4);
    for (const e of r.events) assert.equal(typeof e.json.output.text, 'string');
    assert.equal(r.events.at(-1)!.json.output.finish_reason, 'length');
    assert.equal(r.events.map((e) => e.json.output.text).join('').split(' ').length - 1, 4);
  });

  test('non-streaming, message and text formats', async () => {
    const m = await json(url, body({ result_format: 'message' }));
    assert.equal(m.status, 200);
    assert.equal(m.json.output.choices[0].finish_reason, 'stop');
    assert.equal(m.json.output.choices[0].message.content.split(' ').length - 1, 6);
    assert.deepEqual(m.json.usage, { input_tokens: 3, output_tokens: 6, total_tokens: 9 });
    const t = await json(url, body());
    assert.equal(t.json.output.text.split(' ').length - 1, 6);
    assert.equal(t.json.output.finish_reason, 'stop');
    assert.equal(typeof t.json.request_id, 'string');
  });

  test('errors use DashScope\'s shape; faults apply', async () => {
    const bad = await json(url, '{nope');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'InvalidParameter');
    assert.equal(typeof bad.json.message, 'string');
    const missing = await json(url, { model: 'q' });
    assert.equal(missing.status, 400);
    const limited = await json(url, body(), { 'x-mock-fault': 'http_429' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.code, 'Throttling.RateQuota');
    const reset = await sse(url, body({ incremental_output: true }), { ...SSE, 'x-mock-fault': 'reset' });
    assert.ok(reset.error);
    assert.ok(reset.events.length <= 3);
    const badJson = await sse(url, { ...body({ incremental_output: true }), mock: { fault: 'bad_json' } }, SSE);
    assert.ok(badJson.events.some((e) => e.data !== undefined && e.json === undefined));
    assert.equal(s.stats().byRoute.dashscope! >= 8, true);
  });
});
