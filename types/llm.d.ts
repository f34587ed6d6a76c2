/**
 * `llmperf/llm`: requests to the target LLM server, timed on the host.
 *
 * ```ts
 * import llm from 'llmperf/llm';
 * const res = await llm.chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 64 });
 * ```
 *
 * The parameters are the request body of the target's API (OpenAI chat/completions by default), sent
 * as given, with these defaults added: `model` (from --model / options.llm.model), `stream: true`,
 * and `stream_options: { include_usage: true }` when streaming (unless options.llm.includeUsage is
 * false). Any other field the server understands (vLLM's `ignore_eos`, `min_tokens`, ...) can be
 * added: unknown fields are passed through.
 *
 * Besides generation, `llm.embed` (POST {url}/embeddings), `llm.rerank` (POST {url}/rerank) and
 * `llm.responses` (POST {url}/responses, OpenAI's Responses API) send the other workloads of an
 * inference server; each goes through its own API adapter (tagged `api:embedding`, `api:rerank`,
 * `api:responses`), so one script can mix them and give each its thresholds (`llm_e2e{api:embedding}`).
 *
 * A request never throws for an HTTP or network failure: the result has `ok: false` and an `error`
 * with a stable code (see ErrorCode), and the failure counts in `llm_req_failed`.
 */
/// <reference path="./globals.d.ts" />

/** A part of a multi-part message content (text parts count for token estimates). */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }
  | { type: 'input_audio'; input_audio: { data: string; format: 'wav' | 'mp3' } }
  | { type: string; [key: string]: unknown };

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  content: string | ContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
}

/** Body fields shared by chat and completions requests (OpenAI names; vLLM/SGLang extras allowed). */
export interface SamplingParams {
  /** Default: options.llm.model / --model / LLMPERF_MODEL ("mock-llm" when none). */
  model?: string;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  /** Default true: llmperf streams so that it can time the first token. */
  stream?: boolean;
  /** Default { include_usage: true } when streaming: the server's token counts are the most exact. */
  stream_options?: { include_usage?: boolean; continuous_usage_stats?: boolean; [key: string]: unknown } | null;
  stop?: string | string[] | null;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  logit_bias?: Record<string, number>;
  user?: string;
  /** vLLM / SGLang: generate at least this many tokens. */
  min_tokens?: number;
  /** vLLM / SGLang / the mock: keep generating past end-of-sequence up to max_tokens. */
  ignore_eos?: boolean;
  top_k?: number;
  min_p?: number;
  repetition_penalty?: number;
  /** Any other field is sent as is. */
  [key: string]: unknown;
}

/** The body of a chat completions request (POST {url}/chat/completions). */
export interface ChatParams extends SamplingParams {
  messages: ChatMessage[];
  max_completion_tokens?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: { type: 'text' | 'json_object' } | { type: 'json_schema'; json_schema: Record<string, unknown> };
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high';
}

/** The body of a (legacy) completions request (POST {url}/completions). */
export interface CompletionParams extends SamplingParams {
  prompt: string | string[] | number[] | number[][];
  echo?: boolean;
  /** Completions API: the number of log probabilities to return. */
  logprobs?: number | null;
  best_of?: number;
  suffix?: string | null;
}

/** A body for a plugin API (see llmperf/api-plugin): any fields, but neither `messages` nor `prompt`. */
export interface OtherParams {
  messages?: never;
  prompt?: never;
  [key: string]: unknown;
}

/** The body of an embeddings request (POST {url}/embeddings): one text, or a batch. */
export interface EmbedParams {
  /** The text(s) to embed: a string, a batch of strings, or token ids. The batch size is the number of inputs. */
  input: string | string[] | number[] | number[][];
  /** Default: options.llm.model / --model. */
  model?: string;
  /** Output dimensions, for models that support shortening. */
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
  user?: string;
  /** Any other field is sent as is (vLLM's truncate_prompt_tokens, ...). */
  [key: string]: unknown;
}

/** The body of a rerank request (POST {url}/rerank, Cohere / Jina / vLLM shape). */
export interface RerankParams {
  query: string;
  /** The documents to score against the query. The batch size is their number. */
  documents: Array<string | { text: string }>;
  /** Default: options.llm.model / --model. */
  model?: string;
  /** Return only the best n results. */
  top_n?: number;
  return_documents?: boolean;
  [key: string]: unknown;
}

/** One content part of a Responses API input message. */
export type ResponsesContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail?: 'auto' | 'low' | 'high' }
  | { type: string; [key: string]: unknown };

/** One input item of the Responses API: a message (chat messages are accepted too and converted). */
export interface ResponsesInputMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | (string & {});
  content: string | ResponsesContentPart[] | ContentPart[];
  [key: string]: unknown;
}

/** The body of an OpenAI Responses API request (POST {url}/responses). */
export interface ResponsesParams {
  /** A prompt, or input items. */
  input: string | ResponsesInputMessage[];
  /** Default: options.llm.model / --model. */
  model?: string;
  instructions?: string;
  max_output_tokens?: number;
  /** Default true: TTFT and ITL are timed on the `response.output_text.delta` events. */
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  reasoning?: { effort?: 'minimal' | 'low' | 'medium' | 'high'; summary?: 'auto' | 'concise' | 'detailed' };
  previous_response_id?: string;
  store?: boolean;
  [key: string]: unknown;
}

/** The second argument of chat / complete / request: per-request settings, not sent in the body. */
export interface RequestOptions {
  /** Tags added to this request's metric samples (and to the stored request record). */
  tags?: Record<string, string>;
  /** Sets the `name` tag (group requests in outputs and thresholds: `llm_ttft{name:summarise}`). */
  name?: string;
  /** Extra HTTP headers, on top of options.llm.headers / --header. */
  headers?: Record<string, string>;
  /** Total timeout of this request: ms, or a duration such as "30s" (default options.llm.timeout, 10m). */
  timeout?: number | string;
  /**
   * The API adapter for this request: "openai", "dashscope", "embedding", "rerank", "responses" or a
   * plugin's name. Default: options.llm.api for chat / complete / request; for embed, rerank and
   * responses their own adapter (or the run's plugin, when options.llm.api is one).
   */
  api?: string;
  /** Another base URL for this request (default: the run's target). */
  url?: string;
  /** The model for this request (a `model` in the body wins over this). */
  model?: string;
}

/** Why a request failed: one stable code per failure (the `error_code` tag; the summary's error table). */
export type ErrorCode =
  | 'HTTP_429'
  | 'HTTP_4XX'
  | 'HTTP_5XX'
  | 'CONN_REFUSED'
  | 'CONN_RESET'
  | 'CONNECT_TIMEOUT'
  | 'READ_TIMEOUT'
  | 'TOTAL_TIMEOUT'
  | 'DNS'
  | 'STREAM_INCOMPLETE'
  | 'BAD_SSE'
  | 'BAD_JSON'
  | 'BAD_ENCODING'
  | 'RESPONSE_TOO_LARGE'
  | 'SERVER_ERROR'
  | 'ABORTED'
  | 'SCRIPT_ERROR'
  | 'REQUEST_ERROR';

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  /** Prompt tokens served from the server's prefix cache, when it reports them. */
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  /** Reasoning models: how many of completion_tokens were reasoning (OpenAI, vLLM, DeepSeek). */
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** Where a token count came from: the server's usage, the configured tokenizer, or llmperf's estimate (see the README, "Token counts"). */
export type TokenSource = 'usage' | 'tokenizer' | 'estimated';

/**
 * Whether a streamed response really streamed (null: no stream was asked for and none came, or
 * nothing arrived): 'ok'; 'not_streamed', a whole body answered a stream request; 'one_read', every
 * event arrived in one read; 'buffered', the events arrived in bursts (a buffering proxy). The
 * last three give no TPOT/ITL samples (see the README, "Pointing llmperf at a real stack").
 */
export type StreamCheck = 'ok' | 'buffered' | 'one_read' | 'not_streamed';

/**
 * The outcome of one request. Times are milliseconds from t0, the moment just before the request is
 * written; `null` when the request never got that far.
 */
export interface LlmResult {
  /** HTTP status (0 when no response arrived). */
  status: number;
  /** True when the request succeeded: a 2xx status and a complete, well-formed response. */
  ok: boolean;
  /** The generated text (concatenated stream content); choice 0's when the server generated several (`n` > 1). */
  text: string;
  /** Every choice's text, in choice order (one entry unless `n` > 1). */
  texts: string[];
  /** Reasoning text (`reasoning_content` / `reasoning`), when the model sends it separately (choice 0's). */
  reasoning: string;
  finishReason: string | null;
  /** The server's usage object, when it sent one. */
  usage: Usage | null;
  /** Prompt tokens: server usage, else the configured tokenizer, else an estimate (chars / 4). */
  inputTokens: number | null;
  /**
   * Output tokens (reasoning included, every choice summed): server usage, else the tokenizer,
   * else an estimate (the larger of the output-bearing events and chars / 4).
   */
  outputTokens: number | null;
  inputTokenSource: TokenSource | null;
  outputTokenSource: TokenSource | null;
  /** Reasoning tokens of a response that reasoned (usage's reasoning_tokens, else the tokenizer, else an estimate); null otherwise. */
  reasoningTokens: number | null;
  /** Answer tokens of a response that reasoned (output tokens minus reasoning); null otherwise. */
  answerTokens: number | null;
  /** First response byte (headers) - t0. */
  ttfb: number | null;
  /** First output-bearing event (content, reasoning or token) - t0. Role-only/usage-only chunks don't count. */
  ttft: number | null;
  /** First event carrying answer text (not reasoning) - t0: a reasoning model's time to its answer. */
  ttftAnswer: number | null;
  /** (e2e - ttft) / (outputTokens / choices - 1); null when that is <= 1, or the response did not really stream (streamCheck). */
  tpot: number | null;
  /** Last output-bearing event (non-streaming: end of body) - t0. */
  e2e: number | null;
  /** Every gap between consecutive output-bearing events (of the same choice), ms; none when the response did not really stream. */
  itl: number[];
  /** The number of output-bearing events. */
  chunks: number;
  /** Whether the response really streamed (see StreamCheck). */
  streamCheck: StreamCheck | null;
  error: { code: ErrorCode; message: string } | null;
  /** Inputs the request carried (embedding inputs, rerank documents); absent for generation. */
  batchSize?: number;
  /** Prompt tokens the server reports it read from its prefix cache; absent when it does not say. */
  cachedTokens?: number;
}

/** POST {url}/chat/completions with `params` as the body. */
export function chat(params: ChatParams, opts?: RequestOptions): Promise<LlmResult>;
/** POST {url}/completions with `params` as the body. */
export function complete(params: CompletionParams, opts?: RequestOptions): Promise<LlmResult>;
/**
 * Sends `params` through the API adapter as it is: a chat request when it has `messages`, else a
 * completions request (plugin APIs decide for themselves what the body means).
 */
export function request(params: ChatParams | CompletionParams | OtherParams, opts?: RequestOptions): Promise<LlmResult>;

/**
 * POST {url}/embeddings with `params` as the body (OpenAI's embeddings API, as vLLM, TEI and the
 * cloud APIs serve it). Not streamed: `e2e` is the whole latency, `ttft` is null; `inputTokens` comes
 * from usage; `batchSize` is the number of inputs. Tagged `api:embedding`.
 */
export function embed(params: EmbedParams, opts?: RequestOptions): Promise<LlmResult>;
/**
 * POST {url}/rerank with `params` as the body ({query, documents}: Cohere's, Jina's and vLLM's
 * shape). Not streamed; `batchSize` is the number of documents. Tagged `api:rerank`.
 */
export function rerank(params: RerankParams, opts?: RequestOptions): Promise<LlmResult>;
/**
 * POST {url}/responses (OpenAI's Responses API) with `params` as the body, streamed by default:
 * TTFT and ITL are timed on the `response.output_text.delta` events (reasoning deltas count as
 * output, as for chat), usage comes from `response.completed`. Tagged `api:responses`.
 */
export function responses(params: ResponsesParams, opts?: RequestOptions): Promise<LlmResult>;

declare const llm: {
  chat: typeof chat;
  complete: typeof complete;
  request: typeof request;
  embed: typeof embed;
  rerank: typeof rerank;
  responses: typeof responses;
};
export default llm;
