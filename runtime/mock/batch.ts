/**
 * The mock's batch routes, shaped as vLLM sends them: embeddings (POST /v1/embeddings) and rerank
 * (POST /v1/rerank, also /rerank, /v1/reranks and /v2/rerank). One JSON body each, never streamed.
 *
 * Timing: the body is written at t_recv + ttft + (inputs - 1) * itl (ttft and itl as for generation,
 * load mode and per-request overrides included): every input after the first costs one ITL. The
 * faults that apply to a JSON body apply (http_*, reset, stall, slow_headers, bad_json, jitter).
 *
 *   embeddings  {object: "list", data: [{object: "embedding", index, embedding}], model,
 *                usage: {prompt_tokens, total_tokens, completion_tokens: 0}}
 *               `dimensions` sets the vector length (default 16); encoding_format "base64" sends
 *               little-endian float32 as base64, as OpenAI does
 *   rerank      {id, model, usage: {total_tokens}, results: [{index, relevance_score, document: {text}}]}
 *               sorted by score, cut to top_n; vLLM sends no prompt_tokens, only total_tokens
 * Prompt tokens are estimated as ceil(chars / 4) (token-id inputs: one per id); rerank counts the
 * query once per document, as a cross-encoder reads it.
 */
import { BadRequest, type GenRequest, isObject, optPositiveInt, parseMockOverride, q } from './request.ts';
import { promptTokensOfText } from './tokens.ts';
import type { FullFormat, ResponseCtx } from './stream.ts';
import type { Rng } from './tokens.ts';

/** What a batch request carries beyond GenRequest's common fields. */
export type BatchRequest =
  | { kind: 'embeddings'; inputs: number; dims: number; base64: boolean }
  | { kind: 'rerank'; documents: string[]; topN: number | undefined; returnDocuments: boolean };

const DEFAULT_DIMS = 16;
const MAX_DIMS = 8192;

function inputTexts(input: unknown): { count: number; tokens: number } {
  if (typeof input === 'string') return { count: 1, tokens: promptTokensOfText(input.length) };
  if (!Array.isArray(input)) throw new BadRequest('input: required, a string, an array of strings, or token ids');
  if (input.length === 0) throw new BadRequest('input: must not be empty');
  if (input.every((x) => typeof x === 'number')) return { count: 1, tokens: input.length };
  let tokens = 0;
  for (const x of input) {
    if (typeof x === 'string') tokens += promptTokensOfText(x.length);
    else if (Array.isArray(x) && x.every((n) => typeof n === 'number')) tokens += x.length;
    else throw new BadRequest('input: every element must be a string or an array of token ids');
  }
  return { count: input.length, tokens };
}

function common(body: Record<string, unknown>, serverModel: string): Pick<GenRequest, 'model' | 'stream' | 'includeUsage' | 'ignoreEos' | 'incremental' | 'messageFormat'> {
  return { model: typeof body.model === 'string' && body.model !== '' ? body.model : serverModel, stream: false, includeUsage: false, ignoreEos: false, incremental: true, messageFormat: true };
}

export function parseEmbeddings(body: unknown, serverModel: string): GenRequest {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  const { count, tokens } = inputTexts(body.input);
  const dims = optPositiveInt(body.dimensions, 'dimensions') ?? DEFAULT_DIMS;
  if (dims > MAX_DIMS) throw new BadRequest(`dimensions: at most ${MAX_DIMS} on the mock`);
  const fmt = body.encoding_format;
  if (fmt !== undefined && fmt !== 'float' && fmt !== 'base64') throw new BadRequest('encoding_format: "float" or "base64"');
  const mock = parseMockOverride(body.mock);
  return { route: 'embeddings', ...common(body, serverModel), promptTokens: tokens, batch: { kind: 'embeddings', inputs: count, dims, base64: fmt === 'base64' }, ...(mock ? { mock } : {}) };
}

export function parseRerank(body: unknown, serverModel: string): GenRequest {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  const query = body.query;
  if (typeof query !== 'string') throw new BadRequest('query: required, a string');
  if (!Array.isArray(body.documents) || body.documents.length === 0) throw new BadRequest('documents: required, a non-empty array of strings or {"text": string}');
  const documents = body.documents.map((d, i) => {
    if (typeof d === 'string') return d;
    if (isObject(d) && typeof d.text === 'string') return d.text;
    throw new BadRequest(`documents[${i}]: a string or {"text": string}`);
  });
  const topN = optPositiveInt(body.top_n, 'top_n');
  const tokens = documents.reduce((n, d) => n + promptTokensOfText(query.length + d.length), 0);
  const mock = parseMockOverride(body.mock);
  return {
    route: 'rerank', ...common(body, serverModel), promptTokens: tokens,
    batch: { kind: 'rerank', documents, topN, returnDocuments: body.return_documents !== false },
    ...(mock ? { mock } : {}),
  };
}

/** How many inputs the request's latency is charged for. */
export function batchInputs(b: BatchRequest): number {
  return b.kind === 'embeddings' ? b.inputs : b.documents.length;
}

function vector(rng: Rng, dims: number): number[] {
  const v: number[] = new Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = rng() * 2 - 1;
    norm += v[i]! * v[i]!;
  }
  const k = norm > 0 ? 1 / Math.sqrt(norm) : 1;
  return v.map((x) => Math.round(x * k * 1e6) / 1e6);
}

function base64Vector(v: number[]): string {
  const f = new Float32Array(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function embeddingsFull(ctx: ResponseCtx, b: Extract<BatchRequest, { kind: 'embeddings' }>, rng: Rng): FullFormat {
  return {
    contentType: 'application/json',
    body() {
      const data: string[] = [];
      for (let i = 0; i < b.inputs; i++) {
        const v = vector(rng, b.dims);
        data.push(`{"object":"embedding","index":${i},"embedding":${b.base64 ? q(base64Vector(v)) : JSON.stringify(v)}}`);
      }
      return `{"id":${q(ctx.id)},"object":"list","created":${ctx.created},"model":${q(ctx.model)},"data":[${data.join(',')}],"usage":{"prompt_tokens":${ctx.promptTokens},"total_tokens":${ctx.promptTokens},"completion_tokens":0,"prompt_tokens_details":null}}`;
    },
  };
}

export function rerankFull(ctx: ResponseCtx, b: Extract<BatchRequest, { kind: 'rerank' }>, rng: Rng): FullFormat {
  return {
    contentType: 'application/json',
    body() {
      const scored = b.documents.map((text, index) => ({ index, text, score: Math.round(rng() * 1e6) / 1e6 }));
      scored.sort((x, y) => y.score - x.score || x.index - y.index);
      const kept = b.topN !== undefined ? scored.slice(0, b.topN) : scored;
      const results = kept.map((r) => `{"index":${r.index},${b.returnDocuments ? `"document":{"text":${q(r.text)}},` : ''}"relevance_score":${r.score}}`);
      return `{"id":${q(ctx.id)},"model":${q(ctx.model)},"usage":{"total_tokens":${ctx.promptTokens}},"results":[${results.join(',')}]}`;
    },
  };
}
