/**
 * Embeddings, rerank and the Responses API from scripts (llm.embed, llm.rerank, llm.responses)
 * against the mock: one script mixing workloads with per-API thresholds, the stored batch size and
 * cached tokens, failures through the mock's faults, the adapters' parsing, and a summary and report
 * that read naturally for a run with no TTFT.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { run, ExitCode, startMockServer, type MockServer } from '../../index.ts';
import { BUILTIN_APIS } from '../../runtime/llm/registry.ts';
import { embeddingApi } from '../../runtime/llm/embeddings.ts';
import { rerankApi } from '../../runtime/llm/rerank.ts';
import { responsesApi } from '../../runtime/llm/responses.ts';
import { openaiApi } from '../../runtime/llm/openai.ts';
import { ApiRegistry } from '../../runtime/llm/registry.ts';
import { apiNameFor, endpointFor } from '../../runtime/llm/kinds.ts';
import type { LlmKind } from '../../runtime/vu/protocol.ts';
import { ROOT } from '../helpers.ts';

const quiet = { log: () => {}, systemEnv: false, testConnection: false };
const ctx = { baseUrl: 'http://h:1/v1', model: 'm', headers: {}, includeUsage: true };

describe('llm.embed, llm.rerank, llm.responses', () => {
  let mock: MockServer;
  before(async () => {
    mock = await startMockServer({ ttftMs: 5, itlMs: 2, outputTokens: 5 });
  });
  after(() => mock.close());

  test('one script mixes the workloads, each with its own thresholds; batch size and cached tokens are stored', async () => {
    const src = `
import llm from 'llmperf/llm';
import { check } from 'llmperf';
export const options = {
  scenarios: {
    index: { executor: 'shared-iterations', vus: 2, iterations: 6, exec: 'index' },
    search: { executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'search' },
    chat: { executor: 'shared-iterations', vus: 1, iterations: 3, exec: 'chat' },
  },
  thresholds: {
    'llm_e2e{api:embedding}': ['p(95)<5000'],
    'llm_batch_size{api:rerank}': ['avg==3'],
    'llm_ttft{api:responses}': ['p(95)<5000'],
    checks: ['rate==1'],
  },
};
export async function index() {
  const r = await llm.embed({ input: ['first document', 'second document', 'third'] });
  check(r, { 'embedded': (x) => x.ok && x.batchSize === 3 && x.ttft === null && x.e2e !== null && x.inputTokens > 0 && x.outputTokens === 0 });
}
export async function search() {
  const r = await llm.rerank({ query: 'which is first', documents: ['first document', 'second document', 'third'], top_n: 1 });
  check(r, { 'ranked': (x) => x.ok && x.batchSize === 3 && x.ttft === null });
}
export async function chat() {
  const r = await llm.responses({ input: [{ role: 'user', content: 'summarise the first document' }], max_output_tokens: 4 });
  check(r, { 'answered': (x) => x.ok && x.text.length > 0 && x.ttft !== null && x.outputTokens === 4 && x.cachedTokens === 0 && x.batchSize === undefined });
}`;
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'llmperf-workloads-')), 'run');
    const out = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url }, outDir: dir });
    assert.equal(out.exitCode, ExitCode.OK, out.stdout);
    assert.deepEqual(out.summary.thresholds.map((t) => [t.metric, t.ok]), [
      ['llm_e2e{api:embedding}', true],
      ['llm_batch_size{api:rerank}', true],
      ['llm_ttft{api:responses}', true],
      ['checks', true],
    ]);
    assert.equal(out.summary.llm.succeeded, 12);
    const db = new Database(path.join(dir, 'requests.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT api, url, batch_size, cached_tokens, ttft_ms FROM requests ORDER BY id').all() as Array<Record<string, unknown>>;
      const byApi = (a: string) => rows.filter((r) => r.api === a);
      assert.equal(byApi('embedding').length, 6);
      assert.ok(byApi('embedding').every((r) => r.batch_size === 3 && r.ttft_ms === null && String(r.url).endsWith('/v1/embeddings')));
      assert.ok(byApi('rerank').every((r) => r.batch_size === 3 && String(r.url).endsWith('/v1/rerank')));
      assert.ok(byApi('responses').every((r) => r.batch_size === null && r.cached_tokens === 0 && (r.ttft_ms as number) > 0));
    } finally {
      db.close();
    }
  });

  test('scripts-examples/rag-workloads.ts runs against the built-in mock, every threshold met', async () => {
    const out = await run({ script: path.join(ROOT, 'scripts-examples/rag-workloads.ts'), ...quiet, save: false, mockOptions: { ttft: '5ms', itl: '1ms' } });
    assert.equal(out.exitCode, ExitCode.OK, out.stdout);
    assert.ok(out.summary.thresholds.length >= 5 && out.summary.thresholds.every((t) => t.ok));
    assert.equal(out.summary.llm.succeeded, 8 + 4 * 2);
  });

  test('an embedding-only run: no TTFT anywhere, input token throughput and batch size instead', async () => {
    const src = `
import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 6 } } };
export default async function () { await llm.embed({ input: ['a b c d', 'e f g h'] }); }`;
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'llmperf-embed-only-')), 'run');
    const out = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url }, outDir: dir });
    assert.equal(out.exitCode, ExitCode.OK);
    const l = out.summary.llm;
    assert.deepEqual(Object.keys(l.percentiles).sort(), ['llm_batch_size', 'llm_e2e', 'llm_input_tokens', 'llm_input_tps', 'llm_output_tokens']);
    assert.ok(l.inputTokenThroughput > 0);
    assert.match(out.stdout, /Input token throughput\s+[\d.]+ tok\/s/);
    assert.doesNotMatch(out.stdout, /Output token throughput|TTFT \(ms\)|llm_ttft/);
    assert.match(out.stdout, /Batch size\s+│\s+2 │/);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.match(html, /input token throughput/);
    assert.match(html, /batch size/);
    assert.doesNotMatch(html, /TTFT p50 \/ p99|output token throughput|id="ts-ttft"|id="hist-ttft"/);
    assert.match(html, /E2E p50 \/ p99/);
  });

  test("the adapters' names: evalscope's aliases reach the same adapter, whose name tags the requests", async () => {
    assert.equal(BUILTIN_APIS.openai_embedding, embeddingApi);
    assert.equal(BUILTIN_APIS.openai_rerank, rerankApi);
    assert.equal(BUILTIN_APIS.openai_response, responsesApi);
    assert.equal(BUILTIN_APIS.openai_responses, responsesApi);
    const src = `
import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 2 } }, thresholds: { 'llm_reqs{api:embedding}': ['count==2'] } };
export default async function () { await llm.request({ input: 'hello' }); }`;
    const out = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url, api: 'openai_embedding' } });
    assert.equal(out.exitCode, ExitCode.OK, out.stdout);
    assert.equal(out.summary.target.api, 'openai_embedding');
  });

  test('failures come back as results: HTTP errors, truncated bodies, resets, a Responses stream without its end', async () => {
    const src = `
import llm from 'llmperf/llm';
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1 } }, thresholds: { llm_req_failed: ['rate<=1'] } };
export default async function () {
  const out = [];
  out.push((await llm.embed({ input: 'x', mock: { fault: 'http_503' } })).error.code);
  out.push((await llm.rerank({ query: 'q', documents: ['a'], mock: { fault: 'bad_json' } })).error.code);
  out.push((await llm.embed({ input: 'x' }, { headers: { 'x-mock-fault': 'reset' } })).error.code);
  out.push((await llm.responses({ input: 'x' }, { headers: { 'x-mock-fault': 'no_done' } })).error.code);
  out.push((await llm.responses({ input: 'x' }, { headers: { 'x-mock-fault': 'bad_sse' } })).error.code);
  if (out.join(',') !== 'HTTP_5XX,BAD_JSON,CONN_RESET,STREAM_INCOMPLETE,BAD_SSE') throw new Error(out.join(','));
}`;
    const out = await run({ script: { source: src }, ...quiet, overrides: { url: mock.url } });
    assert.deepEqual(out.summary.scriptErrors, []);
    assert.equal(out.summary.llm.failed, 5);
    assert.deepEqual(Object.keys(out.summary.llm.errors).sort(), ['BAD_JSON', 'BAD_SSE', 'CONN_RESET', 'HTTP_5XX', 'STREAM_INCOMPLETE']);
  });

  test('which adapter a call uses: its own built-in, the run\'s plugin, or the one it names', async () => {
    const builtins = ApiRegistry.builtins();
    assert.deepEqual(['chat', 'embed', 'rerank', 'responses'].map((k) => apiNameFor(k as LlmKind, undefined, builtins)), ['openai', 'embedding', 'rerank', 'responses']);
    assert.equal(apiNameFor('embed', 'openai', builtins), 'openai');
    const plugin = await ApiRegistry.resolve(path.join(ROOT, 'test/fixtures/perf/completions-plugin.ts'), [ROOT]);
    assert.equal(apiNameFor('embed', undefined, plugin), 'completions-plugin', 'a run whose API is a plugin sends it embeddings too');
    assert.deepEqual((['chat', 'complete', 'embed', 'rerank', 'responses'] as const).map((k) => endpointFor(k, {})), ['chat', 'completions', 'embeddings', 'rerank', 'responses']);
    assert.equal(endpointFor('request', { messages: [] }), 'chat');
  });
});

describe('the adapters, request by request', () => {
  test('embeddings: the body as given; chat-shaped params become inputs (evalscope); batch size; usage', () => {
    const b = embeddingApi.build('embeddings', { input: ['a', 'b'], dimensions: 8 }, ctx);
    assert.equal(b.url, 'http://h:1/v1/embeddings');
    assert.equal(b.stream, false);
    assert.equal(b.batchSize, 2);
    assert.deepEqual(JSON.parse(b.body), { model: 'm', input: ['a', 'b'], dimensions: 8 });
    const fromChat = embeddingApi.build('chat', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'x' } }] }], max_tokens: 9, stream: true }, { ...ctx, baseUrl: 'http://h:1/v1/embeddings' });
    assert.deepEqual(JSON.parse(fromChat.body), { model: 'm', input: 'hi' });
    assert.equal(embeddingApi.build('embeddings', { input: [1, 2, 3] }, ctx).batchSize, 1, 'token ids are one input');
    assert.deepEqual(embeddingApi.parseBody('{"data":[],"usage":{"prompt_tokens":0,"total_tokens":7}}'), { done: true, usage: { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 } });
    assert.deepEqual(embeddingApi.parseBody('{"error":{"message":"too long"}}'), { error: 'too long' });
  });

  test('rerank: documents as the batch; chat-shaped params become a query and documents; Cohere token counts', () => {
    const b = rerankApi.build('rerank', { query: 'q', documents: ['a', { text: 'b' }], top_n: 1 }, ctx);
    assert.equal(b.url, 'http://h:1/v1/rerank');
    assert.equal(b.batchSize, 2);
    const fromChat = JSON.parse(rerankApi.build('chat', { messages: [{ role: 'user', content: 'q' }, { role: 'user', content: 'd1' }] }, ctx).body);
    assert.deepEqual([fromChat.query, fromChat.documents], ['q', ['d1']]);
    const lone = JSON.parse(rerankApi.build('chat', { messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }, ctx).body);
    assert.deepEqual([lone.query, lone.documents.length, lone.max_tokens], ['hello', 1, undefined], 'a lone message gets a stand-in document');
    assert.deepEqual(rerankApi.parseBody('{"results":[],"usage":{"total_tokens":12}}').usage, { prompt_tokens: 12, completion_tokens: 0, total_tokens: 12 });
    assert.deepEqual(rerankApi.parseBody('{"results":[],"meta":{"billed_units":{"search_units":1},"tokens":{"input_tokens":30}}}').usage, { prompt_tokens: 30, completion_tokens: 0, total_tokens: 30 });
  });

  test('Responses: chat messages become input items, max_tokens max_output_tokens; events and bodies parsed', () => {
    const b = responsesApi.build('chat', { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'data:x' } }] }], max_tokens: 5, stream_options: { include_usage: true } }, { ...ctx, baseUrl: 'http://h:1/v1/responses' });
    assert.equal(b.stream, true);
    assert.deepEqual(JSON.parse(b.body), { model: 'm', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'data:x', detail: 'auto' }] }], max_output_tokens: 5, stream: true });
    const ev = (o: unknown) => responsesApi.parseEvent(JSON.stringify(o), undefined);
    assert.deepEqual(ev({ type: 'response.output_text.delta', delta: ' hi' }), { content: ' hi' });
    assert.deepEqual(ev({ type: 'response.refusal.delta', delta: 'no' }), { content: 'no' });
    assert.deepEqual(ev({ type: 'response.reasoning_summary_text.delta', delta: 'think' }), { reasoning: 'think' });
    assert.deepEqual(ev({ type: 'response.function_call_arguments.delta', delta: '{' }), {});
    assert.deepEqual(ev({ type: 'response.created', response: {} }), {});
    assert.deepEqual(ev({ type: 'response.completed', response: { status: 'completed', usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7, input_tokens_details: { cached_tokens: 2 } } } }), {
      done: true, usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 2 } }, finishReason: 'stop',
    });
    assert.deepEqual(ev({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } }), { done: true, finishReason: 'length' });
    assert.deepEqual(ev({ type: 'response.failed', response: { status: 'failed', error: { message: 'overloaded' } } }), { error: 'overloaded' });
    assert.deepEqual(responsesApi.parseEvent('{"message":"bad request"}', 'error'), { error: 'bad request' });
    const body = responsesApi.parseBody(JSON.stringify({ status: 'completed', output: [{ type: 'reasoning', summary: [{ text: 'r' }] }, { type: 'message', content: [{ type: 'output_text', text: 'hello' }] }], usage: { input_tokens: 1, output_tokens: 2 } }));
    assert.deepEqual(body, { done: true, usage: { prompt_tokens: 1, completion_tokens: 2 }, finishReason: 'stop', content: 'hello', reasoning: 'r' });
  });

  test('openai: the new endpoints map to their paths and are not streamed unless they generate', () => {
    const e = openaiApi.build('embeddings', { input: 'x' }, ctx);
    assert.equal(e.url, 'http://h:1/v1/embeddings');
    assert.equal(e.stream, false);
    assert.equal(openaiApi.build('responses', { input: 'x' }, ctx).url, 'http://h:1/v1/responses');
  });
});
