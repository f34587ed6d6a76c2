/**
 * The mock's OpenAI Responses API route (POST /v1/responses, also /responses), shaped as OpenAI and
 * vLLM send it.
 *
 * Streaming: every SSE event has an `event:` line naming its type and a JSON `data:` line with the
 * same `type` and a growing `sequence_number`. With the headers: response.created,
 * response.in_progress, response.output_item.added, response.content_part.added (no output). Then
 * one response.output_text.delta {delta: " word"} per content chunk (timed as chat chunks are), then
 * response.output_text.done, response.content_part.done, response.output_item.done and
 * response.completed, whose `response` carries the status and the usage {input_tokens, output_tokens,
 * total_tokens, input_tokens_details: {cached_tokens: 0}}. When max_output_tokens cut the output,
 * the last event is response.incomplete with incomplete_details.reason "max_output_tokens". There is
 * no [DONE]; the no_done fault drops the final response.completed / .incomplete event.
 *
 * Non-streaming: one response object (object "response", output: [message with output_text]).
 */
import { BadRequest, type GenRequest, isObject, optPositiveInt, parseMockOverride, q } from './request.ts';
import { promptTokensOfText } from './tokens.ts';
import type { Finish, FullFormat, ResponseCtx, StreamFormat } from './stream.ts';

/** Characters of text in a Responses `input`: a string, or items whose content is a string or parts with text. */
function inputChars(input: unknown): number {
  if (typeof input === 'string') return input.length;
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const item of input) {
    if (typeof item === 'string') n += item.length;
    else if (isObject(item)) {
      const c = item.content;
      if (typeof c === 'string') n += c.length;
      else if (Array.isArray(c)) for (const p of c) if (isObject(p) && typeof p.text === 'string') n += p.text.length;
      if (typeof item.text === 'string') n += item.text.length;
    }
  }
  return n;
}

export function parseResponses(body: unknown, serverModel: string): GenRequest {
  if (!isObject(body)) throw new BadRequest('request body must be a JSON object');
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) throw new BadRequest('input: required, a string or an array of input items');
  const chars = inputChars(body.input) + (typeof body.instructions === 'string' ? body.instructions.length : 0);
  const maxTokens = optPositiveInt(body.max_output_tokens, 'max_output_tokens');
  const minTokens = optPositiveInt(body.min_tokens, 'min_tokens', 0);
  const mock = parseMockOverride(body.mock);
  const req: GenRequest = {
    route: 'responses',
    model: typeof body.model === 'string' && body.model !== '' ? body.model : serverModel,
    stream: body.stream === true,
    includeUsage: true,
    promptTokens: promptTokensOfText(chars),
    ignoreEos: body.ignore_eos === true,
    incremental: true,
    messageFormat: true,
  };
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  if (minTokens !== undefined && minTokens > 0) req.minTokens = minTokens;
  if (mock) req.mock = mock;
  return req;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function usageJson(ctx: ResponseCtx, outputTokens: number, sendUsage: boolean): string {
  if (!sendUsage) return 'null';
  return `{"input_tokens":${ctx.promptTokens},"input_tokens_details":{"cached_tokens":0},"output_tokens":${outputTokens},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":${ctx.promptTokens + outputTokens}}`;
}

function responseJson(ctx: ResponseCtx, status: string, text: string | null, outputTokens: number, sendUsage: boolean): string {
  const msgId = `msg_${ctx.id}`;
  const output = text === null ? '[]' : `[{"type":"message","id":${q(msgId)},"status":"completed","role":"assistant","content":[{"type":"output_text","text":${q(text)},"annotations":[]}]}]`;
  const incomplete = status === 'incomplete' ? '{"reason":"max_output_tokens"}' : 'null';
  return `{"id":${q(`resp_${ctx.id}`)},"object":"response","created_at":${ctx.created},"status":${q(status)},"model":${q(ctx.model)},"output":${output},"incomplete_details":${incomplete},"error":null,"usage":${text === null ? 'null' : usageJson(ctx, outputTokens, sendUsage)}}`;
}

export function responsesStream(ctx: ResponseCtx, sendUsage: boolean): StreamFormat {
  let seq = 0;
  let full = '';
  let finish: Finish = 'stop';
  const itemId = q(`msg_${ctx.id}`);
  const ev = (type: string, rest: string): string => `event: ${type}\ndata: {"type":"${type}","sequence_number":${seq++}${rest ? ',' + rest : ''}}\n\n`;
  const part = (text: string) => `{"type":"output_text","text":${q(text)},"annotations":[]}`;
  const item = (status: string, content: string) => `{"type":"message","id":${itemId},"status":"${status}","role":"assistant","content":[${content}]}`;
  const inProgress = responseJson(ctx, 'in_progress', null, 0, sendUsage);
  const head =
    ev('response.created', `"response":${inProgress}`) +
    ev('response.in_progress', `"response":${inProgress}`) +
    ev('response.output_item.added', `"output_index":0,"item":${item('in_progress', '')}`) +
    ev('response.content_part.added', `"item_id":${itemId},"output_index":0,"content_index":0,"part":${part('')}`);
  return {
    headers: SSE_HEADERS,
    head,
    content(text, _tokensSoFar, last) {
      full += text;
      if (last !== null) finish = last;
      return ev('response.output_text.delta', `"item_id":${itemId},"output_index":0,"content_index":0,"delta":"${text}","logprobs":[]`);
    },
    tail(outputTokens, noDone) {
      let s = ev('response.output_text.done', `"item_id":${itemId},"output_index":0,"content_index":0,"text":${q(full)},"logprobs":[]`);
      s += ev('response.content_part.done', `"item_id":${itemId},"output_index":0,"content_index":0,"part":${part(full)}`);
      s += ev('response.output_item.done', `"output_index":0,"item":${item('completed', part(full))}`);
      if (!noDone) {
        const status = finish === 'length' ? 'incomplete' : 'completed';
        s += ev(`response.${status}`, `"response":${responseJson(ctx, status, full, outputTokens, sendUsage)}`);
      }
      return s;
    },
    malformed(kind) {
      return kind === 'bad_sse' ? 'event: response.output_text.delta\ngarbage without a field name\n\n' : 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n';
    },
  };
}

export function responsesFull(ctx: ResponseCtx, sendUsage: boolean): FullFormat {
  return {
    contentType: 'application/json',
    body(text, outputTokens, finish) {
      return responseJson(ctx, finish === 'length' ? 'incomplete' : 'completed', text, outputTokens, sendUsage);
    },
  };
}
