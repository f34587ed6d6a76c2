/**
 * The interface a custom API plugin implements (`import type { ApiPlugin } from 'llmperf/api-plugin'`).
 *
 * A plugin is a .ts or .js file passed where an API name goes: `llmperf run script.ts --api ./my-api.ts`
 * or `llmperf perf --api ./my-api.ts ...`. llmperf bundles it with esbuild (platform node, ESM, its own
 * imports included), imports it once on the host (never inside a VU) and registers its default export
 * under its `name`. The run then uses it for every request, and scripts can also pick it per request:
 * `llm.request(params, { api: 'my-api' })`.
 *
 * llmperf does the HTTP, the SSE parsing and every timing; the plugin only maps the script's parameters
 * to a request and the server's events (or whole body) to output.
 *
 * ```ts
 * import type { ApiPlugin } from 'llmperf/api-plugin';
 *
 * export default {
 *   name: 'echo-api',
 *   build(endpoint, params, ctx) {
 *     const stream = params.stream !== false;
 *     return {
 *       url: ctx.baseUrl.replace(/\/+$/, '') + '/generate',
 *       method: 'POST',
 *       headers: { 'content-type': 'application/json', ...ctx.headers, ...(ctx.apiKey ? { authorization: `Bearer ${ctx.apiKey}` } : {}) },
 *       body: JSON.stringify({ model: ctx.model, text: params.prompt, stream }),
 *       stream,
 *     };
 *   },
 *   parseEvent(data) {
 *     const e = JSON.parse(data);
 *     return { content: e.token ?? '', done: e.final === true, usage: e.usage };
 *   },
 *   parseBody(body) {
 *     const b = JSON.parse(body);
 *     return { content: b.text, done: true, usage: b.usage };
 *   },
 *   promptText: (params) => String(params.prompt ?? ''),
 * } satisfies ApiPlugin;
 * ```
 */

/**
 * Which script call made the request: llm.chat (or llm.request with `messages`) is 'chat',
 * llm.complete (or llm.request without) 'completions', llm.embed 'embeddings', llm.rerank 'rerank' and
 * llm.responses 'responses' (the last three reach a plugin only when the script names it with `{ api }`).
 * A plugin that serves one kind of request may ignore the endpoint.
 */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'rerank' | 'responses';

/** Token usage in OpenAI's names (map your server's names to these). */
export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  /** Prompt tokens the server read from its prefix cache (OpenAI's usage.prompt_tokens_details). */
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  /** Reasoning models: how many of completion_tokens were reasoning (OpenAI, vLLM, DeepSeek). */
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** What the run knows about the target, given to build(). */
export interface ApiRequestContext {
  /** The target URL as configured (--url / options.llm.url), possibly a base URL. */
  readonly baseUrl: string;
  /** The model (--model / options.llm.model, or the request's own). */
  readonly model: string;
  /** The API key, when one is configured (--api-key); send it the way your server expects. */
  readonly apiKey?: string;
  /** Extra headers (--header / --headers / options.llm.headers / the request's own): include them. */
  readonly headers: Record<string, string>;
  /** Whether usage should be requested in streams (OpenAI's stream_options.include_usage). */
  readonly includeUsage: boolean;
}

/** The HTTP request to send. */
export interface BuiltRequest {
  /** The full URL. */
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  /** True when the response is an SSE stream (text/event-stream); false for one JSON body. */
  stream: boolean;
  /**
   * How many inputs the request carries when the API takes a batch (embedding inputs, rerank
   * documents): stored as the request's batch size (llm_batch_size). Leave it out for generation.
   */
  batchSize?: number;
}

/** What one SSE event (or a whole non-streaming body) contributes. */
export interface ParsedDelta {
  /** Output text carried by this event; an event with output text (or reasoning, or tokens) times TTFT/ITL. */
  content?: string;
  /** Reasoning text, if the API separates it. */
  reasoning?: string;
  /** Tokens carried by this event when the API says so; otherwise llmperf estimates from the text. */
  tokens?: number;
  /** Usage: the last one seen wins. */
  usage?: Usage;
  finishReason?: string | null;
  /** An error the server sent inside a 200 response: the request fails with this message. */
  error?: string;
  /** This event ends the stream (e.g. OpenAI's [DONE]); a stream that ends without it is incomplete. */
  done?: boolean;
  /** The server's id of the response (OpenAI's `id`, DashScope's `request_id`); the first one seen is stored. */
  id?: string;
  /**
   * The choice this event belongs to when the server generates several (`n` > 1): OpenAI's
   * `choices[].index`. Default 0. Choices keep their own text, and ITL is measured per choice.
   */
  index?: number;
  /** Further choices carried by the same event (each with its own `index`). */
  others?: ParsedDelta[];
}

export interface ApiPlugin {
  /** The name requests use (`--api` resolves to it; `llm.request(p, { api: name })`). Not "openai". */
  readonly name: string;
  /**
   * The URL a request for `endpoint` goes to, given the configured URL (a base URL such as
   * http://host:8000/v1, or already a full endpoint). Optional; when given, build() should use it,
   * and `llmperf perf` uses it to tell the user which URL a base URL became.
   */
  endpointUrl?(baseUrl: string, endpoint: Endpoint): string;
  /** Builds the HTTP request from the script's parameters. */
  build(endpoint: Endpoint, params: Record<string, unknown>, ctx: ApiRequestContext): BuiltRequest;
  /** Parses one SSE event's data (and its event name). Throw (SyntaxError) on bad JSON: the request fails as BAD_JSON. */
  parseEvent(data: string, event: string | undefined): ParsedDelta;
  /** Parses a whole non-streaming body. */
  parseBody(body: string): ParsedDelta;
  /**
   * A stream whose body ended cleanly without `done`: is it still complete? `sawFinishReason`: every
   * choice seen sent a finish reason (e.g. `(sawFinishReason) => sawFinishReason`). Without this
   * method such a stream fails as STREAM_INCOMPLETE.
   */
  completeWithoutDone?(sawFinishReason: boolean): boolean;
  /** The prompt text, for tokenizer-based input token counts when the server sends no usage. */
  promptText(params: Record<string, unknown>): string;
}
