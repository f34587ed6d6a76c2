/**
 * DashScope's native text-generation API (Alibaba Cloud Model Studio):
 *   POST {base}/api/v1/services/aigc/text-generation/generation
 *   body    {model, input: {messages} | {prompt}, parameters: {max_tokens, temperature, ..., result_format, incremental_output}}
 *   stream  header `X-DashScope-SSE: enable`; every event carries `output` and the usage so far;
 *           no [DONE]: the stream ends with the event whose finish_reason is not "null"
 *   usage   {input_tokens, output_tokens, total_tokens}
 *   auth    Authorization: Bearer <key>
 *
 * Scripts pass OpenAI-shaped parameters (`messages` or `prompt`, `max_tokens`, `stream`, ...): the
 * adapter moves the input under `input` and everything else under `parameters`, and asks for
 * `result_format: "message"` and, when streaming, `incremental_output: true` (each event carries only
 * the new text, which is what the timing code expects). A body that already has `input` is sent in
 * DashScope's own shape (only `stream` is taken out of it).
 */
import type { ApiAdapter, ParsedDelta } from './api.ts';
import { openaiApi } from './openai.ts';
import { markTemplateSafe } from './event-template.ts';
import type { Usage } from './types.ts';

export const DASHSCOPE_GENERATION_PATH = '/api/v1/services/aigc/text-generation/generation';

/**
 * The generation URL for a base URL: used as is when it already names the generation route;
 * `…/api/v1` gets the rest of the route; any other URL (e.g. the mock's http://host:port/v1) is
 * replaced by its origin plus the whole route.
 */
export function dashscopeUrl(base: string): string {
  const b = base.replace(/\/+$/, '');
  if (b.endsWith('/text-generation/generation')) return b;
  const i = b.indexOf('/api/v1');
  if (i >= 0) return b.slice(0, i) + DASHSCOPE_GENERATION_PATH;
  return new URL(b).origin + DASHSCOPE_GENERATION_PATH;
}

interface DashScopeChunk {
  request_id?: string;
  output?: {
    text?: string | null;
    finish_reason?: string | null;
    choices?: Array<{ message?: { content?: unknown; reasoning_content?: string | null }; finish_reason?: string | null }>;
  };
  usage?: { input_tokens?: number; output_tokens?: number; total_tokens?: number };
  code?: string;
  message?: string;
}

/** Text of a message content: a string, or DashScope's multimodal list of {text} parts. */
function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: unknown }) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function finished(reason: string | null | undefined): string | null {
  return reason && reason !== 'null' ? reason : null;
}

function parseChunk(obj: DashScopeChunk, last: boolean): ParsedDelta {
  const out: ParsedDelta = {};
  if (typeof obj.request_id === 'string') out.id = obj.request_id;
  if (!obj.output && obj.code) {
    out.error = `${obj.code}: ${obj.message ?? ''}`.trim();
    return out;
  }
  const o = obj.output ?? {};
  const choice = o.choices?.[0];
  const content = choice ? contentText(choice.message?.content) : (o.text ?? '');
  if (content) out.content = content;
  const reasoning = choice?.message?.reasoning_content;
  if (reasoning) out.reasoning = reasoning;
  const finish = finished(choice ? choice.finish_reason : o.finish_reason);
  if (finish) out.finishReason = finish;
  if (obj.usage) {
    const u: Usage = {};
    if (typeof obj.usage.input_tokens === 'number') u.prompt_tokens = obj.usage.input_tokens;
    if (typeof obj.usage.output_tokens === 'number') u.completion_tokens = obj.usage.output_tokens;
    if (typeof obj.usage.total_tokens === 'number') u.total_tokens = obj.usage.total_tokens;
    out.usage = u;
  }
  if (last || finish) out.done = true;
  return out;
}

/** Splits OpenAI-shaped params into DashScope's {input, parameters}. */
function toNative(params: Record<string, unknown>): { input: unknown; parameters: Record<string, unknown> } {
  const { messages, prompt, model: _model, stream: _stream, stream_options: _so, input, parameters, ...rest } = params;
  void [_model, _stream, _so];
  if (input !== undefined) return { input, parameters: { ...rest, ...((parameters as Record<string, unknown> | undefined) ?? {}) } };
  const inp: Record<string, unknown> = {};
  if (messages !== undefined) inp.messages = messages;
  else if (prompt !== undefined) inp.prompt = Array.isArray(prompt) ? prompt.join('\n') : prompt;
  return { input: inp, parameters: { result_format: 'message', ...rest } };
}

export const dashscopeApi: ApiAdapter = markTemplateSafe({
  name: 'dashscope',
  endpointUrl: (base) => dashscopeUrl(base),
  build(_endpoint, params, ctx) {
    const stream = params.stream === undefined ? true : params.stream === true;
    const { input, parameters } = toNative(params);
    if (stream && parameters.incremental_output === undefined) parameters.incremental_output = true;
    const model = typeof params.model === 'string' ? params.model : ctx.model;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...ctx.headers };
    if (stream) headers['x-dashscope-sse'] = 'enable';
    if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
    return { url: dashscopeUrl(ctx.baseUrl), method: 'POST', headers, body: JSON.stringify({ model, input, parameters }), stream };
  },
  parseEvent(data, event) {
    if (event === 'error') {
      const e = JSON.parse(data) as DashScopeChunk;
      return { error: `${e.code ?? 'error'}: ${e.message ?? data}` };
    }
    return parseChunk(JSON.parse(data) as DashScopeChunk, false);
  },
  parseBody(body) {
    return parseChunk(JSON.parse(body) as DashScopeChunk, true);
  },
  completeWithoutDone(sawFinishReason) {
    return sawFinishReason;
  },
  promptText(params) {
    const input = params.input as { messages?: unknown; prompt?: unknown } | undefined;
    if (input && typeof input === 'object') return openaiApi.promptText(input as Record<string, unknown>);
    return openaiApi.promptText(params);
  },
});
