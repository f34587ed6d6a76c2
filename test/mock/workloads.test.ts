/**
 * The mock's embeddings, rerank and Responses API routes: their shapes (as vLLM and OpenAI send
 * them), their timing, and the same fault injection as the generation routes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockServer, type MockServer } from '../../runtime/mock/index.ts';
import { json, sse } from './helpers.ts';

describe('mock server: embeddings, rerank, Responses API', () => {
  let s: MockServer;
  let base: string;
  before(async () => {
    s = await startMockServer({ ttftMs: 20, itlMs: 10, outputTokens: 6 });
    base = s.url.replace(/\/v1$/, '');
  });
  after(() => s.close());

  test('embeddings: one vector per input, unit length, usage prompt_tokens; dimensions and base64', async () => {
    const r = await json(`${s.url}/embeddings`, { model: 'e5', input: ['one two three four', 'five'] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'list');
    assert.equal(r.json.model, 'e5');
    assert.deepEqual(r.json.data.map((d: { index: number; object: string }) => [d.index, d.object]), [[0, 'embedding'], [1, 'embedding']]);
    const v = r.json.data[0].embedding as number[];
    assert.equal(v.length, 16);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-3, 'normalised');
    assert.deepEqual(r.json.usage, { prompt_tokens: 6, total_tokens: 6, completion_tokens: 0, prompt_tokens_details: null }); // ceil(18/4) + ceil(4/4)
    const d = await json(`${s.url}/embeddings`, { input: 'x', dimensions: 4, encoding_format: 'base64' });
    const bytes = Buffer.from(d.json.data[0].embedding, 'base64');
    assert.equal(bytes.length, 16, '4 float32s');
    const ids = await json(`${s.url}/embeddings`, { input: [1, 2, 3] });
    assert.equal(ids.json.data.length, 1, 'token ids are one input');
    assert.equal(ids.json.usage.prompt_tokens, 3);
    const bad = await json(`${s.url}/embeddings`, { model: 'e5' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /input: required/);
  });

  test('embeddings: the body is due at ttft + one itl per further input', async () => {
    const one = await json(`${s.url}/embeddings`, { input: 'a' });
    const eight = await json(`${s.url}/embeddings`, { input: Array.from({ length: 8 }, (_, i) => `t${i}`) });
    assert.ok(one.end >= 19, `one input: ${one.end} ms`);
    assert.ok(eight.end >= 19 + 7 * 10 - 1, `eight inputs: ${eight.end} ms: seven more inputs cost seven ITLs`);
  });

  test('rerank: results sorted by score, top_n, documents echoed, vLLM usage (total_tokens only); every rerank path', async () => {
    const body = { model: 'bge', query: 'what is ml', documents: ['ml is ai', { text: 'cats' }, 'dogs'], top_n: 2 };
    const r = await json(`${s.url}/rerank`, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results.length, 2);
    const scores = r.json.results.map((x: { relevance_score: number }) => x.relevance_score);
    assert.ok(scores[0] >= scores[1]);
    for (const x of r.json.results) assert.equal(x.document.text, ['ml is ai', 'cats', 'dogs'][x.index]);
    assert.deepEqual(Object.keys(r.json.usage), ['total_tokens']);
    for (const p of ['/v1/reranks', '/rerank', '/v2/rerank', '/compatible-api/v1/reranks']) {
      assert.equal((await json(`${base}${p}`, body)).status, 200, p);
    }
    assert.equal((await json(`${s.url}/rerank`, { query: 'q', documents: [] })).status, 400);
  });

  test("OpenAI routes under DashScope's compatible prefixes too, as evalscope's command lines name them; other paths are 404", async () => {
    assert.equal((await json(`${base}/compatible-mode/v1/embeddings`, { input: 'x' })).status, 200);
    assert.equal((await json(`${base}/compatible-mode/v1/chat/completions`, { messages: [{ role: 'user', content: 'x' }], max_tokens: 2 })).status, 200);
    assert.equal((await json(`${base}/v2/chat/completions`, { messages: [{ role: 'user', content: 'x' }] })).status, 404);
    assert.equal((await json(`${s.url}/nope/embeddings`, { input: 'x' })).status, 404);
  });

  test('Responses API, streamed: typed events with sequence numbers, text deltas, response.completed with usage', async () => {
    const r = await sse(`${s.url}/responses`, { model: 'gpt', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello there' }] }], stream: true });
    assert.equal(r.status, 200);
    const types = r.events.map((e) => e.json.type as string);
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.equal(types.filter((t) => t === 'response.output_text.delta').length, 6);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    for (const e of r.events) assert.match(e.raw, new RegExp(`^event: ${e.json.type.replace(/\./g, '\\.')}\n`), 'each event is named');
    assert.deepEqual(r.events.map((e) => e.json.sequence_number), r.events.map((_, i) => i));
    const text = r.events.filter((e) => e.json.type === 'response.output_text.delta').map((e) => e.json.delta).join('');
    const done = r.events.at(-1)!.json.response;
    assert.equal(done.status, 'completed');
    assert.equal(done.output[0].content[0].text, text);
    assert.deepEqual(done.usage, { input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 9 });
    const first = r.events.find((e) => e.json.type === 'response.output_text.delta')!;
    assert.ok(first.t >= 19, 'the first delta comes after the TTFT');
  });

  test('Responses API: max_output_tokens ends with response.incomplete; not streamed: one response object', async () => {
    const r = await sse(`${s.url}/responses`, { input: 'hi', max_output_tokens: 2, stream: true });
    const last = r.events.at(-1)!.json;
    assert.equal(last.type, 'response.incomplete');
    assert.deepEqual(last.response.incomplete_details, { reason: 'max_output_tokens' });
    const full = await json(`${s.url}/responses`, { input: 'hi', instructions: 'be brief' });
    assert.equal(full.json.object, 'response');
    assert.equal(full.json.status, 'completed');
    assert.equal(full.json.output[0].type, 'message');
    assert.equal(full.json.usage.output_tokens, 6);
    assert.equal((await json(`${s.url}/responses`, { model: 'x' })).status, 400);
  });

  test('faults: http_*, bad_json and stall on embeddings and rerank; long_output applies only to generation', async () => {
    const e429 = await json(`${s.url}/embeddings`, { input: 'x' }, { 'x-mock-fault': 'http_429' });
    assert.equal(e429.status, 429);
    assert.equal(e429.headers['retry-after'], '1');
    const bad = await json(`${s.url}/rerank`, { query: 'q', documents: ['a'], mock: { fault: 'bad_json' } });
    assert.equal(bad.status, 200);
    assert.equal(bad.json, undefined, 'a truncated JSON body');
    const stalled = await json(`${s.url}/embeddings`, { input: 'x' }, { 'x-mock-fault': 'stall;ms=150' });
    assert.ok(stalled.end >= 150 + 19, `stalled: ${stalled.end} ms`);
    const before = s.stats().faults.long_output ?? 0;
    await json(`${s.url}/embeddings`, { input: 'x' }, { 'x-mock-fault': 'long_output' });
    assert.equal(s.stats().faults.long_output ?? 0, before, 'not counted where it does not apply');
    const reset = await json(`${s.url}/embeddings`, { input: 'x' }, { 'x-mock-fault': 'reset' });
    assert.ok(reset.error, 'the connection is reset mid-body');
  });

  test('faults on the Responses stream: no_done drops response.completed, bad_sse and bad_json break it', async () => {
    const nd = await sse(`${s.url}/responses`, { input: 'hi', stream: true }, { 'x-mock-fault': 'no_done' });
    assert.equal(nd.events.at(-1)!.json.type, 'response.output_item.done');
    const bj = await sse(`${s.url}/responses`, { input: 'hi', stream: true }, { 'x-mock-fault': 'bad_json' });
    assert.ok(bj.events.some((e) => e.data !== undefined && e.json === undefined), 'an event that is not JSON');
    const st = s.stats();
    assert.ok((st.byRoute.responses ?? 0) >= 5 && (st.byRoute.embeddings ?? 0) >= 5 && (st.byRoute.rerank ?? 0) >= 5);
  });
});
