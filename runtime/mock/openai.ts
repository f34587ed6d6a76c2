/**
 * OpenAI-compatible routes of the mock server (/v1/chat/completions, /v1/completions, /v1/models),
 * shaped the way vLLM sends them.
 *
 * Streaming chat: a role-only chunk `delta: {role: "assistant", content: ""}` with the headers (no
 * output), content chunks `delta: {content: " word"}` (the last one with finish_reason "stop" or
 * "length"), then, when the request sets stream_options.include_usage (and the server's usage
 * option is on), a chunk with `choices: []` and `usage`, then `data: [DONE]`. Completions use
 * `choices[0].text` and have no role chunk. Every event is pre-rendered from per-request prefix and
 * suffix strings: the per-event cost is a few string concatenations, not a JSON.stringify.
 */
import { BadRequest, type GenRequest, type GenRoute, isObject, optPositiveInt, parseMockOverride, q } from './request.ts';
import { completionPromptTokens, messagesChars, promptTokensOfText } from './tokens.ts';
import type { FullFormat, ResponseCtx, StreamFormat } from './stream.ts';

export function parseOpenAI(route: 'chat' | 'completions', body: unknown, serverModel: string): GenRequest {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  let promptTokens: number;
  if (route === 'chat') {
    if (!Array.isArray(body.messages)) throw new BadRequest('messages: required, an array of {role, content}');
    promptTokens = promptTokensOfText(messagesChars(body.messages));
  } else {
    if (body.prompt === undefined) throw new BadRequest('prompt: required');
    promptTokens = completionPromptTokens(body.prompt);
  }
  const so = body.stream_options;
  const maxTokens = optPositiveInt(body.max_completion_tokens, 'max_completion_tokens') ?? optPositiveInt(body.max_tokens, 'max_tokens');
  const minTokens = optPositiveInt(body.min_tokens, 'min_tokens', 0);
  const mock = parseMockOverride(body.mock);
  const req: GenRequest = {
    route,
    model: typeof body.model === 'string' && body.model !== '' ? body.model : serverModel,
    stream: body.stream === true,
    includeUsage: isObject(so) && so.include_usage === true,
    promptTokens,
    ignoreEos: body.ignore_eos === true,
    incremental: true,
    messageFormat: true,
  };
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  if (minTokens !== undefined && minTokens > 0) req.minTokens = minTokens;
  if (mock) req.mock = mock;
  return req;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

export function openaiStream(route: 'chat' | 'completions', ctx: ResponseCtx, sendUsage: boolean): StreamFormat {
  const chat = route === 'chat';
  const common = `{"id":${q(ctx.id)},"object":"${chat ? 'chat.completion.chunk' : 'text_completion'}","created":${ctx.created},"model":${q(ctx.model)},`;
  const pre = chat ? `data: ${common}"choices":[{"index":0,"delta":{"content":"` : `data: ${common}"choices":[{"index":0,"text":"`;
  const post = chat ? '"},"logprobs":null,"finish_reason":' : '","logprobs":null,"finish_reason":';
  const postNull = post + 'null}]}\n\n';
  const head = chat
    ? `data: ${common}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`
    : '';
  return {
    headers: SSE_HEADERS,
    head,
    content(text, _tokensSoFar, finish) {
      return pre + text + (finish === null ? postNull : `${post}"${finish}"}]}\n\n`);
    },
    tail(outputTokens, noDone) {
      let s = '';
      if (sendUsage) {
        s += `data: ${common}"choices":[],"usage":{"prompt_tokens":${ctx.promptTokens},"total_tokens":${ctx.promptTokens + outputTokens},"completion_tokens":${outputTokens}}}\n\n`;
      }
      if (!noDone) s += 'data: [DONE]\n\n';
      return s;
    },
    malformed(kind) {
      return kind === 'bad_sse'
        ? `dat: ${common}"choices":[]}\ngarbage without a field name\n\n`
        : 'data: {"choices":[\n\n';
    },
  };
}

export function openaiFull(route: 'chat' | 'completions', ctx: ResponseCtx): FullFormat {
  return {
    contentType: 'application/json',
    body(text, outputTokens, finish) {
      const choice = route === 'chat'
        ? `{"index":0,"message":{"role":"assistant","content":${q(text)}},"logprobs":null,"finish_reason":"${finish}"}`
        : `{"index":0,"text":${q(text)},"logprobs":null,"finish_reason":"${finish}"}`;
      return `{"id":${q(ctx.id)},"object":"${route === 'chat' ? 'chat.completion' : 'text_completion'}","created":${ctx.created},"model":${q(ctx.model)},"choices":[${choice}],"usage":{"prompt_tokens":${ctx.promptTokens},"total_tokens":${ctx.promptTokens + outputTokens},"completion_tokens":${outputTokens}}}`;
    },
  };
}

/** OpenAI's error body. */
export function openaiError(message: string, type: string, code: number | string | null = null): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 404: 'not_found_error', 405: 'invalid_request_error', 413: 'invalid_request_error',
  429: 'rate_limit_error', 500: 'internal_server_error', 503: 'service_unavailable',
};

export function openaiErrorFor(status: number, message: string): string {
  return openaiError(message, ERROR_TYPES[status] ?? 'api_error', status);
}

export function modelsBody(model: string, created: number): string {
  return JSON.stringify({
    object: 'list',
    data: [{ id: model, object: 'model', created, owned_by: 'llmperf-mock', root: model, parent: null, max_model_len: 131072 }],
  });
}

export function idPrefix(route: GenRoute): string {
  return route === 'chat' ? 'chatcmpl-' : route === 'completions' ? 'cmpl-' : route === 'embeddings' ? 'embd-' : route === 'rerank' ? 'rerank-' : '';
}
