/**
 * An API adapter turns the script's parameters into an HTTP request and the server's events into
 * output. Built-ins: openai (chat and completions) and dashscope; plugins implement the same shape.
 */
import type { Usage } from './types.ts';

export type Endpoint = 'chat' | 'completions';

export interface BuiltRequest {
  /** path appended to the base URL's origin (already including any base path) */
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  stream: boolean;
}

/** What one parsed event (or a whole non-streaming body) contributes. */
export interface ParsedDelta {
  content?: string;
  reasoning?: string;
  /** tokens carried by this event when the API says so (e.g. token ids); else estimated */
  tokens?: number;
  usage?: Usage;
  finishReason?: string | null;
  /** an error object sent by the server inside a 200 response */
  error?: string;
  /** this event terminates the stream ([DONE] for OpenAI; the last event for DashScope) */
  done?: boolean;
}

export interface ApiRequestContext {
  baseUrl: string;
  model: string;
  apiKey?: string;
  headers: Record<string, string>;
  includeUsage: boolean;
}

export interface ApiAdapter {
  readonly name: string;
  /** Builds the HTTP request for `endpoint` from the script's params. */
  build(endpoint: Endpoint, params: Record<string, unknown>, ctx: ApiRequestContext): BuiltRequest;
  /** Parses one SSE event's data (and event name). Throw SyntaxError on bad JSON. */
  parseEvent(data: string, event: string | undefined): ParsedDelta;
  /** Parses a whole non-streaming body. Throw SyntaxError on bad JSON. */
  parseBody(body: string): ParsedDelta;
  /** True when a stream that ended without `done` is still complete (e.g. a finish_reason was seen). */
  completeWithoutDone?(sawFinishReason: boolean): boolean;
  /** Prompt text used for tokenizer-based input counts. */
  promptText(params: Record<string, unknown>): string;
}

/** Joins a base URL and an endpoint path without doubling slashes or /v1. */
export function joinUrl(base: string, path: string): string {
  const b = base.replace(/\/+$/, '');
  return b + (path.startsWith('/') ? path : '/' + path);
}
