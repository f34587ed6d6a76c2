/**
 * Rerank (Cohere / Jina / vLLM / DashScope shape), evalscope's `openai_rerank` (alias `rerank`):
 *   POST {base}/rerank   {model, query, documents: [string | {text}], top_n?, ...}   one JSON body
 *   200  {results: [{index, relevance_score, document?}], usage: {prompt_tokens?, total_tokens}}
 * Input tokens come from usage.prompt_tokens, else total_tokens (vLLM sends only total_tokens), else
 * Cohere's meta.tokens.input_tokens. (evalscope also reads Cohere's billed search units as tokens;
 * they are not tokens, so llmperf falls back to the tokenizer or an estimate instead.) No output, no
 * TTFT; the batch size is the number of documents.
 *
 * Parameters in a chat shape are converted as evalscope's plugin does: the first message's text is
 * the query and the others are the documents; a lone message or prompt is the query, with one
 * stand-in document (evalscope would send an empty document list after a lone message).
 */
import type { ApiAdapter, ParsedDelta } from './api.ts';
import { parseBatchBody } from './embeddings.ts';
import { endpointUrl } from './openai.ts';
import type { Usage } from './types.ts';
import { jsonHeaders, messageTexts, withoutGenerationKeys } from './text-inputs.ts';

/** evalscope's document for a rerank request made from a lone prompt. */
export const STAND_IN_DOCUMENT = 'This is a test document for reranking.';

/** The rerank body for `params`: as given when it has `query`, else converted from messages / prompt. */
export function rerankBody(params: Record<string, unknown>, model: string): Record<string, unknown> {
  if (params.query !== undefined) {
    const documents = typeof params.documents === 'string' ? [params.documents] : params.documents;
    return { model, ...params, documents: documents ?? [] };
  }
  let query = '';
  let documents: string[] = [];
  if (Array.isArray(params.messages)) {
    const texts = messageTexts(params.messages);
    query = texts[0] ?? '';
    documents = texts.length > 1 ? texts.slice(1) : [STAND_IN_DOCUMENT];
  } else if (typeof params.prompt === 'string') {
    query = params.prompt;
    documents = [STAND_IN_DOCUMENT];
  } else if (Array.isArray(params.prompt)) {
    const texts = params.prompt.filter((x): x is string => typeof x === 'string');
    query = texts[0] ?? '';
    documents = texts.length > 1 ? texts.slice(1) : [''];
  }
  return { model, ...withoutGenerationKeys(params), query, documents };
}

function documentText(d: unknown): string {
  if (typeof d === 'string') return d;
  const t = (d as { text?: unknown } | null)?.text;
  return typeof t === 'string' ? t : '';
}

/** Cohere's rerank reports its input tokens in meta.tokens (billed search units are not tokens). */
function cohereUsage(obj: Record<string, unknown>): Usage | undefined {
  const t = (obj.meta as { tokens?: { input_tokens?: unknown } } | undefined)?.tokens?.input_tokens;
  return typeof t === 'number' ? { prompt_tokens: t, completion_tokens: 0, total_tokens: t } : undefined;
}

const parse = (body: string): ParsedDelta => parseBatchBody(body, cohereUsage);

export const rerankApi: ApiAdapter = {
  name: 'rerank',
  endpointUrl: (base) => endpointUrl(base, 'rerank'),
  build(_endpoint, params, ctx) {
    const model = typeof params.model === 'string' ? params.model : ctx.model;
    const body = rerankBody(params, model);
    const documents = Array.isArray(body.documents) ? body.documents.length : 0;
    return { url: endpointUrl(ctx.baseUrl, 'rerank'), method: 'POST', headers: jsonHeaders(ctx, false), body: JSON.stringify(body), stream: false, batchSize: documents };
  },
  parseEvent: (data) => (data === '[DONE]' ? { done: true } : parse(data)),
  parseBody: parse,
  promptText(params) {
    const b = rerankBody(params, '');
    const docs = Array.isArray(b.documents) ? b.documents.map(documentText) : [];
    return [typeof b.query === 'string' ? b.query : '', ...docs].join('\n');
  },
};
