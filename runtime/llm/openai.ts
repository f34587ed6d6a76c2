/** OpenAI-compatible /chat/completions and /completions (vLLM, SGLang, TGI, llama.cpp, gateways). */
import type { ApiAdapter, Endpoint, ParsedDelta } from './api.ts';
import { joinUrl } from './api.ts';
import { markTemplateSafe } from './event-template.ts';
import type { Usage } from './types.ts';

interface OpenAiChoice {
  index?: number;
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
  message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
  text?: string | null;
  finish_reason?: string | null;
}
interface OpenAiChunk {
  id?: string;
  choices?: OpenAiChoice[];
  usage?: Usage | null;
  error?: { message?: string } | string;
}

/** The path each endpoint gets appended to a base URL. */
const ENDPOINT_PATHS: Readonly<Record<Endpoint, string>> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
  rerank: '/rerank',
  responses: '/responses',
};

/**
 * The one place that decides whether an OpenAI-style URL is a base or a full endpoint: a URL whose
 * path already names an endpoint (…/chat/completions, …/completions, …/embeddings, …/rerank(s),
 * …/responses) is used as is; any other gets the endpoint's path appended (as evalscope does). The
 * embedding, rerank and Responses adapters use it too.
 */
export function endpointUrl(base: string, endpoint: Endpoint): string {
  const b = base.replace(/\/+$/, '');
  if (/\/(chat\/completions|completions|embeddings|reranks?|responses)$/.test(new URL(b).pathname)) return b;
  return joinUrl(b, ENDPOINT_PATHS[endpoint] ?? '/completions');
}

/** One choice's part of a chunk (choice 0 carries no index: the common case allocates nothing more). */
function parseChoice(c: OpenAiChoice, out: ParsedDelta): ParsedDelta {
  const d = c.delta ?? c.message;
  const content = d?.content ?? c.text;
  if (content) out.content = content;
  const reasoning = d?.reasoning_content ?? d?.reasoning;
  if (reasoning) out.reasoning = reasoning;
  if (c.finish_reason) out.finishReason = c.finish_reason;
  if (typeof c.index === 'number' && c.index !== 0) out.index = c.index;
  return out;
}

function parseChunk(obj: OpenAiChunk): ParsedDelta {
  const out: ParsedDelta = {};
  if (obj.error) {
    out.error = typeof obj.error === 'string' ? obj.error : (obj.error.message ?? JSON.stringify(obj.error));
    return out;
  }
  const cs = obj.choices;
  if (cs && cs.length > 0) {
    parseChoice(cs[0]!, out);
    // n > 1: servers send one choice per chunk (vLLM, OpenAI) or several in one (a whole body)
    if (cs.length > 1) out.others = cs.slice(1).map((c, i) => parseChoice(c, typeof c.index === 'number' ? {} : { index: i + 1 }));
  }
  if (obj.usage) out.usage = obj.usage;
  if (typeof obj.id === 'string') out.id = obj.id;
  return out;
}

export const openaiApi: ApiAdapter = markTemplateSafe({
  name: 'openai',
  endpointUrl,
  build(endpoint, params, ctx) {
    const body: Record<string, unknown> = { model: ctx.model, ...params };
    // embeddings and rerank are one JSON body: stream only what generates
    if (body.stream === undefined && endpoint !== 'embeddings' && endpoint !== 'rerank') body.stream = true;
    const stream = body.stream === true;
    if (stream && ctx.includeUsage && body.stream_options === undefined) body.stream_options = { include_usage: true };
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...ctx.headers };
    if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
    return { url: endpointUrl(ctx.baseUrl, endpoint), method: 'POST', headers, body: JSON.stringify(body), stream };
  },
  parseEvent(data) {
    if (data === '[DONE]') return { done: true };
    return parseChunk(JSON.parse(data) as OpenAiChunk);
  },
  parseBody(body) {
    return { ...parseChunk(JSON.parse(body) as OpenAiChunk), done: true };
  },
  // a stream that ends cleanly after every choice's finish_reason is complete, [DONE] or not
  // (the OpenAI SDKs accept it; llama.cpp and some gateways omit [DONE])
  completeWithoutDone(sawFinishReason) {
    return sawFinishReason;
  },
  promptText(params) {
    const msgs = params.messages;
    if (Array.isArray(msgs)) {
      return msgs
        .map((m: { content?: unknown }) => (typeof m?.content === 'string' ? m.content : Array.isArray(m?.content) ? m.content.map((p: { text?: string }) => p?.text ?? '').join('') : ''))
        .join('\n');
    }
    const p = params.prompt;
    return typeof p === 'string' ? p : Array.isArray(p) ? p.join('\n') : '';
  },
});
