/**
 * DashScope's native text-generation route of the mock server:
 *   POST /api/v1/services/aigc/text-generation/generation
 *   body {model, input: {messages} | {prompt}, parameters: {max_tokens?, incremental_output?, result_format?, ...}}
 *
 * Streaming when the request has `X-DashScope-SSE: enable` or `Accept: text/event-stream`. Each event:
 *   id:N
 *   event:result
 *   :HTTP_STATUS/200
 *   data:{"output":{"choices":[{"message":{"role":"assistant","content":"..."},"finish_reason":"null"}]},"usage":{"input_tokens":..,"output_tokens":..,"total_tokens":..},"request_id":"..."}
 * Content is incremental with parameters.incremental_output = true, cumulative otherwise; usage
 * counts the output so far; the last event has finish_reason "stop" (or "length"). With a
 * result_format other than "message" (DashScope's historical default, "text"), `output` is
 * `{"text": ..., "finish_reason": ...}` instead of choices. There is no role-only event and no
 * [DONE]; headers are flushed at once. Errors: `{"code", "message", "request_id"}`.
 */
import { BadRequest, type GenRequest, isObject, optPositiveInt, parseMockOverride, q } from './request.ts';
import { messagesChars, promptTokensOfText } from './tokens.ts';
import type { FullFormat, ResponseCtx, StreamFormat } from './stream.ts';

export const DASHSCOPE_PATH = '/api/v1/services/aigc/text-generation/generation';

export function dashscopeWantsStream(headers: Record<string, string | string[] | undefined>): boolean {
  const sse = headers['x-dashscope-sse'];
  if (typeof sse === 'string' && sse.toLowerCase() === 'enable') return true;
  const accept = headers['accept'];
  return typeof accept === 'string' && accept.includes('text/event-stream');
}

export function parseDashScope(body: unknown, stream: boolean, serverModel: string): GenRequest {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  const input = body.input;
  if (!isObject(input)) throw new BadRequest('input: required, an object with messages or prompt');
  let chars: number;
  if (Array.isArray(input.messages)) chars = messagesChars(input.messages);
  else if (typeof input.prompt === 'string') chars = input.prompt.length;
  else throw new BadRequest('input.messages or input.prompt: required');
  const params = body.parameters === undefined ? {} : body.parameters;
  if (!isObject(params)) throw new BadRequest('parameters: must be an object');
  const maxTokens = optPositiveInt(params.max_tokens, 'parameters.max_tokens');
  const minTokens = optPositiveInt(params.min_tokens, 'parameters.min_tokens', 0);
  const mock = parseMockOverride(body.mock);
  const req: GenRequest = {
    route: 'dashscope',
    model: typeof body.model === 'string' && body.model !== '' ? body.model : serverModel,
    stream,
    includeUsage: true,
    promptTokens: promptTokensOfText(chars),
    ignoreEos: params.ignore_eos === true,
    incremental: params.incremental_output === true,
    messageFormat: params.result_format === 'message',
  };
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  if (minTokens !== undefined && minTokens > 0) req.minTokens = minTokens;
  if (mock) req.mock = mock;
  return req;
}

function usage(input: number, output: number): string {
  return `"usage":{"input_tokens":${input},"output_tokens":${output},"total_tokens":${input + output}}`;
}

export function dashscopeStream(ctx: ResponseCtx, req: GenRequest): StreamFormat {
  const rid = `,"request_id":${q(ctx.id)}}\n\n`;
  let n = 0;
  let acc = '';
  const incremental = req.incremental;
  const out = req.messageFormat
    ? (content: string, finish: string) => `{"output":{"choices":[{"message":{"role":"assistant","content":"${content}"},"finish_reason":"${finish}"}]},`
    : (content: string, finish: string) => `{"output":{"text":"${content}","finish_reason":"${finish}"},`;
  return {
    headers: { 'content-type': 'text/event-stream;charset=UTF-8', 'cache-control': 'no-cache', 'x-dashscope-request-id': ctx.id },
    head: '',
    content(text, tokensSoFar, finish) {
      // Vocabulary words need no escaping, so the text is spliced in as is.
      let content = text;
      if (!incremental) content = acc += text;
      return `id:${++n}\nevent:result\n:HTTP_STATUS/200\ndata:${out(content, finish ?? 'null')}${usage(ctx.promptTokens, tokensSoFar)}${rid}`;
    },
    tail() {
      return '';
    },
    malformed(kind) {
      return kind === 'bad_sse'
        ? `id:${n}\nevent:result\n:HTTP_STATUS/200\ndat:{"output":{}}\ngarbage without a field name\n\n`
        : `id:${n}\nevent:result\n:HTTP_STATUS/200\ndata:{"output":{"choices":[\n\n`;
    },
  };
}

export function dashscopeFull(ctx: ResponseCtx, req: GenRequest): FullFormat {
  return {
    contentType: 'application/json',
    body(text, outputTokens, finish) {
      const output = req.messageFormat
        ? `{"choices":[{"finish_reason":"${finish}","message":{"role":"assistant","content":${q(text)}}}]}`
        : `{"text":${q(text)},"finish_reason":"${finish}"}`;
      return `{"output":${output},${usage(ctx.promptTokens, outputTokens)},"request_id":${q(ctx.id)}}`;
    },
  };
}

const CODES: Record<number, string> = {
  400: 'InvalidParameter', 404: 'NotFound', 405: 'InvalidParameter', 413: 'InvalidParameter',
  429: 'Throttling.RateQuota', 500: 'InternalError', 503: 'ServiceUnavailable',
};

export function dashscopeError(status: number, message: string, requestId: string): string {
  return JSON.stringify({ code: CODES[status] ?? 'InternalError', message, request_id: requestId });
}
