/**
 * Texts out of chat-shaped parameters, for the adapters whose bodies are not chat (embeddings,
 * rerank): a dataset item or a script may hand them `messages` or `prompt`, and the text is taken
 * the way evalscope's embedding and rerank plugins take it (text parts only; images are dropped).
 */

/** The text parts of one message content: a string, or OpenAI content parts ({type: 'text', text}). */
export function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') out.push(p);
    else if (p && typeof p === 'object' && (p as { type?: unknown }).type === 'text' && typeof (p as { text?: unknown }).text === 'string') out.push((p as { text: string }).text);
  }
  return out;
}

/** One text per message (its text parts joined by a space), in order. */
export function messageTexts(messages: unknown): string[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((m) => contentTexts((m as { content?: unknown } | null)?.content).join(' '));
}

/** Body keys of a generation request that an embeddings or rerank server does not take. */
const GENERATION_KEYS = [
  'messages', 'prompt', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'min_tokens', 'temperature',
  'top_p', 'top_k', 'n', 'stop', 'stop_token_ids', 'ignore_eos', 'logprobs', 'frequency_penalty', 'presence_penalty', 'repetition_penalty',
];

/** `params` without the generation keys (used only when the body is being converted from a chat shape). */
export function withoutGenerationKeys(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (!GENERATION_KEYS.includes(k)) out[k] = v;
  return out;
}

/** Headers of a JSON request with the run's headers and key (Authorization: Bearer). */
export function jsonHeaders(ctx: { headers: Record<string, string>; apiKey?: string }, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...ctx.headers };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return headers;
}

/** The message of an error body ({error: {message}} or {error: "..."} or {message}), or null. */
export function errorOf(obj: Record<string, unknown>): string | null {
  const e = obj.error;
  if (typeof e === 'string' && e) return e;
  if (e && typeof e === 'object') {
    const m = (e as { message?: unknown }).message;
    return typeof m === 'string' && m ? m : JSON.stringify(e);
  }
  if (obj.object === 'error' && typeof obj.message === 'string') return obj.message;
  return null;
}
