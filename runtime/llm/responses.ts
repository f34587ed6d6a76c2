/**
 * OpenAI's Responses API (also served by vLLM), evalscope's `openai_responses` (aliases
 * `openai_response`, `responses`):
 *   POST {base}/responses   {model, input: string | items, max_output_tokens?, stream, ...}
 *   stream  SSE events named by their JSON `type`: response.created, ..., response.output_text.delta
 *           {delta} per piece of text, ..., response.completed {response: {usage, status}}; no [DONE]
 *   body    {output: [{type: "message", content: [{type: "output_text", text}]}], usage: {input_tokens,
 *           output_tokens, total_tokens, input_tokens_details: {cached_tokens}}, status}
 *
 * Output-bearing events (they time TTFT and ITL): response.output_text.delta and
 * response.refusal.delta (text), response.reasoning_text.delta and
 * response.reasoning_summary_text.delta (reasoning), the events evalscope times. The stream is
 * complete at response.completed or response.incomplete (finish reason "length" when it ran out of
 * max_output_tokens); response.failed and error events fail the request with their message.
 *
 * Chat-shaped parameters are converted as evalscope does: `messages` become `input` (text parts
 * become input_text, image_url parts input_image), a `prompt` is the input; max_tokens becomes
 * max_output_tokens; stream_options is dropped (the Responses API reports usage in
 * response.completed anyway). Not template-safe: the events carry a sequence_number, so the event
 * template (event-template.ts) would never match; each event is parsed.
 */
import type { ApiAdapter, ParsedDelta } from './api.ts';
import { endpointUrl } from './openai.ts';
import { errorOf, jsonHeaders } from './text-inputs.ts';
import type { Usage } from './types.ts';

const TEXT_DELTAS = new Set(['response.output_text.delta', 'response.refusal.delta']);
const REASONING_DELTAS = new Set(['response.reasoning_text.delta', 'response.reasoning_summary_text.delta']);

/** A chat content part as a Responses input part (text -> input_text, image_url -> input_image). */
function inputPart(part: unknown): unknown {
  if (!part || typeof part !== 'object') return part;
  const p = part as { type?: unknown; text?: unknown; image_url?: unknown };
  if (p.type === 'text') return { type: 'input_text', text: typeof p.text === 'string' ? p.text : '' };
  if (p.type === 'image_url') {
    const iu = p.image_url;
    if (typeof iu === 'string') return { type: 'input_image', image_url: iu, detail: 'auto' };
    const o = (iu ?? {}) as { url?: unknown; detail?: unknown };
    return { type: 'input_image', image_url: o.url, detail: typeof o.detail === 'string' ? o.detail : 'auto' };
  }
  return part;
}

/** Chat messages as Responses input items (content part lists converted; string contents kept). */
export function responsesInput(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  return messages.map((m) => {
    if (!m || typeof m !== 'object') return m;
    const msg = m as { content?: unknown };
    return Array.isArray(msg.content) ? { ...msg, content: msg.content.map(inputPart) } : m;
  });
}

/** The Responses body for `params`. */
export function responsesBody(params: Record<string, unknown>, model: string): Record<string, unknown> {
  const { messages, prompt, stream_options: _so, max_tokens, max_completion_tokens, ...rest } = params;
  void _so;
  const body: Record<string, unknown> = { model, ...rest };
  if (body.input === undefined) body.input = messages !== undefined ? responsesInput(messages) : (prompt ?? '');
  else body.input = responsesInput(body.input);
  const max = max_completion_tokens ?? max_tokens;
  if (body.max_output_tokens === undefined && max !== undefined) body.max_output_tokens = max;
  if (body.stream === undefined) body.stream = true;
  return body;
}

/** Responses usage ({input_tokens, output_tokens, input_tokens_details}) in OpenAI's chat names. */
export function responsesUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  const input = typeof o.input_tokens === 'number' ? o.input_tokens : typeof o.prompt_tokens === 'number' ? o.prompt_tokens : undefined;
  const output = typeof o.output_tokens === 'number' ? o.output_tokens : typeof o.completion_tokens === 'number' ? o.completion_tokens : undefined;
  if (input === undefined && output === undefined) return undefined;
  const out: Usage = {};
  if (input !== undefined) out.prompt_tokens = input;
  if (output !== undefined) out.completion_tokens = output;
  if (typeof o.total_tokens === 'number') out.total_tokens = o.total_tokens;
  const details = (o.input_tokens_details ?? o.prompt_tokens_details) as { cached_tokens?: unknown } | null | undefined;
  if (details && typeof details.cached_tokens === 'number') out.prompt_tokens_details = { cached_tokens: details.cached_tokens };
  return out;
}

interface ResponseObject {
  id?: unknown;
  status?: string;
  output_text?: unknown;
  output?: Array<{ type?: string; content?: Array<{ type?: string; text?: unknown; refusal?: unknown }>; summary?: Array<{ text?: unknown }> }>;
  usage?: unknown;
  error?: { message?: string } | null;
  incomplete_details?: { reason?: string } | null;
}

function finishOf(r: ResponseObject): string | null {
  if (r.status === 'incomplete') return r.incomplete_details?.reason === 'max_output_tokens' ? 'length' : (r.incomplete_details?.reason ?? 'incomplete');
  if (r.status === 'completed') return 'stop';
  return null;
}

/** The end of a response (response.completed / .incomplete, or a whole body): usage and finish reason. */
function ending(r: ResponseObject): ParsedDelta {
  const out: ParsedDelta = { done: true };
  if (typeof r.id === 'string') out.id = r.id;
  const usage = responsesUsage(r.usage);
  if (usage) out.usage = usage;
  const finish = finishOf(r);
  if (finish) out.finishReason = finish;
  return out;
}

function failure(r: ResponseObject | undefined, fallback: string): string {
  const m = r?.error?.message;
  return typeof m === 'string' && m ? m : fallback;
}

function parseEvent(data: string, event: string | undefined): ParsedDelta {
  if (data === '[DONE]') return { done: true };
  const obj = JSON.parse(data) as Record<string, unknown>;
  const type = typeof obj.type === 'string' ? obj.type : event;
  if (type && TEXT_DELTAS.has(type)) return typeof obj.delta === 'string' && obj.delta ? { content: obj.delta } : {};
  if (type && REASONING_DELTAS.has(type)) return typeof obj.delta === 'string' && obj.delta ? { reasoning: obj.delta } : {};
  switch (type) {
    case 'response.completed':
    case 'response.incomplete':
      return ending((obj.response ?? {}) as ResponseObject);
    case 'response.created': {
      const id = (obj.response as ResponseObject | undefined)?.id;
      return typeof id === 'string' ? { id } : {};
    }
    case 'response.failed':
      return { error: failure(obj.response as ResponseObject | undefined, 'response.failed') };
    case 'error':
      return { error: typeof obj.message === 'string' ? obj.message : (errorOf(obj) ?? 'error event') };
    default:
      return {};
  }
}

function parseBody(body: string): ParsedDelta {
  const r = JSON.parse(body) as ResponseObject & Record<string, unknown>;
  if (r.status === 'failed') return { error: failure(r, 'the response failed') };
  const err = r.error ? errorOf(r) : null;
  if (err) return { error: err };
  const out = ending(r);
  let text = typeof r.output_text === 'string' ? r.output_text : '';
  let reasoning = '';
  for (const item of r.output ?? []) {
    if (item.type === 'message' && !text) {
      for (const c of item.content ?? []) {
        if (c.type === 'output_text' && typeof c.text === 'string') text += c.text;
        else if (c.type === 'refusal' && typeof c.refusal === 'string') text += c.refusal;
      }
    } else if (item.type === 'reasoning') {
      for (const s of [...(item.summary ?? []), ...(item.content ?? [])]) if (typeof s.text === 'string') reasoning += s.text;
    }
  }
  if (text) out.content = text;
  if (reasoning) out.reasoning = reasoning;
  return out;
}

function itemText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (!item || typeof item !== 'object') return '';
  const c = (item as { content?: unknown; text?: unknown }).content;
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map(itemText).join('');
  const t = (item as { text?: unknown }).text;
  return typeof t === 'string' ? t : '';
}

export const responsesApi: ApiAdapter = {
  name: 'responses',
  endpointUrl: (base) => endpointUrl(base, 'responses'),
  build(_endpoint, params, ctx) {
    const model = typeof params.model === 'string' ? params.model : ctx.model;
    const body = responsesBody(params, model);
    const stream = body.stream === true;
    return { url: endpointUrl(ctx.baseUrl, 'responses'), method: 'POST', headers: jsonHeaders(ctx, stream), body: JSON.stringify(body), stream };
  },
  parseEvent,
  parseBody,
  promptText(params) {
    const b = responsesBody(params, '');
    const input = Array.isArray(b.input) ? b.input.map(itemText).join('\n') : itemText(b.input);
    return typeof b.instructions === 'string' ? `${b.instructions}\n${input}` : input;
  },
};
