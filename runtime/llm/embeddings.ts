/**
 * OpenAI-compatible embeddings (vLLM, TEI, SGLang, the cloud APIs), evalscope's `openai_embedding`
 * (alias `embedding`):
 *   POST {base}/embeddings   {model, input: string | string[] | ids, ...}   one JSON body, never streamed
 *   200  {data: [{object: "embedding", index, embedding: [...] | "base64"}], usage: {prompt_tokens, total_tokens}}
 * Input tokens come from usage.prompt_tokens (else total_tokens), as evalscope reads them; there is
 * no output, so output tokens are 0 and there is no TTFT: e2e is the whole latency. The batch size is
 * the number of inputs.
 *
 * Parameters in a chat shape (a dataset item's `messages` or `prompt`, `llm.request`) are converted
 * as evalscope's plugin converts them: each message's text becomes one input (one message: a single
 * string), a prompt is the input; generation keys (max_tokens, stream, ...) are dropped then.
 */
import type { ApiAdapter, ParsedDelta } from './api.ts';
import { endpointUrl } from './openai.ts';
import { errorOf, jsonHeaders, messageTexts, withoutGenerationKeys } from './text-inputs.ts';
import type { Usage } from './types.ts';

/** The embeddings body for `params`: as given when it has `input`, else converted from messages / prompt. */
export function embeddingBody(params: Record<string, unknown>, model: string): Record<string, unknown> {
  if (params.input !== undefined) return { model, ...params };
  let input: unknown = '';
  if (Array.isArray(params.messages)) {
    const texts = messageTexts(params.messages);
    input = texts.length === 1 ? texts[0] : texts;
  } else if (params.prompt !== undefined) input = params.prompt;
  return { model, ...withoutGenerationKeys(params), input };
}

/** How many texts an embeddings input holds: a string or one list of token ids is 1. */
export function inputCount(input: unknown): number {
  if (!Array.isArray(input)) return 1;
  if (input.length > 0 && input.every((x) => typeof x === 'number')) return 1;
  return input.length;
}

/** usage.prompt_tokens (else total_tokens) as the prompt count, and no output. */
export function inputOnlyUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as { prompt_tokens?: unknown; total_tokens?: unknown; prompt_tokens_details?: Usage['prompt_tokens_details'] };
  const prompt = typeof o.prompt_tokens === 'number' && o.prompt_tokens > 0 ? o.prompt_tokens : typeof o.total_tokens === 'number' ? o.total_tokens : undefined;
  if (prompt === undefined) return undefined;
  const out: Usage = { prompt_tokens: prompt, completion_tokens: 0, total_tokens: typeof o.total_tokens === 'number' ? o.total_tokens : prompt };
  if (o.prompt_tokens_details) out.prompt_tokens_details = o.prompt_tokens_details;
  return out;
}

/**
 * A batch API's response (embeddings, rerank): its error, id and input-token usage; `otherUsage`
 * reads usage from elsewhere in the object when `usage` has none (Cohere's meta.tokens).
 */
export function parseBatchBody(body: string, otherUsage?: (obj: Record<string, unknown>) => Usage | undefined): ParsedDelta {
  const obj = JSON.parse(body) as Record<string, unknown>;
  const err = obj && typeof obj === 'object' ? errorOf(obj) : null;
  if (err) return { error: err };
  const out: ParsedDelta = { done: true };
  if (typeof obj.id === 'string') out.id = obj.id;
  const usage = inputOnlyUsage(obj.usage) ?? otherUsage?.(obj);
  if (usage) out.usage = usage;
  return out;
}

const parse = (body: string): ParsedDelta => parseBatchBody(body);

export const embeddingApi: ApiAdapter = {
  name: 'embedding',
  endpointUrl: (base) => endpointUrl(base, 'embeddings'),
  build(_endpoint, params, ctx) {
    const model = typeof params.model === 'string' ? params.model : ctx.model;
    const body = embeddingBody(params, model);
    return { url: endpointUrl(ctx.baseUrl, 'embeddings'), method: 'POST', headers: jsonHeaders(ctx, false), body: JSON.stringify(body), stream: false, batchSize: inputCount(body.input) };
  },
  // never asked to stream; a server that streams anyway has each event read as a body
  parseEvent: (data) => (data === '[DONE]' ? { done: true } : parse(data)),
  parseBody: parse,
  promptText(params) {
    const input = embeddingBody(params, '').input;
    if (typeof input === 'string') return input;
    return Array.isArray(input) ? input.filter((x) => typeof x === 'string').join('\n') : '';
  },
};
