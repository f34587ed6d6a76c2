/**
 * What the mock server needs from a model request, whatever the protocol: parsed once by the
 * protocol module (openai.ts, dashscope.ts, responses.ts, batch.ts) into a GenRequest.
 */
import type { BatchRequest } from './batch.ts';

/** A client error: the server replies 400 with a JSON error in the route's format. */
export class BadRequest extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'BadRequest';
    this.status = status;
  }
}

export type RouteName = GenRoute | 'models' | 'health' | 'stats' | 'not_found';
/** Routes that answer a model request: generation (chat, completions, dashscope, responses) and batch (embeddings, rerank). */
export type GenRoute = 'chat' | 'completions' | 'dashscope' | 'responses' | 'embeddings' | 'rerank';

/** Per-request overrides from the body field "mock". */
export interface MockOverride {
  fault?: unknown;
  ms?: unknown;
  ttftMs?: number;
  itlMs?: number;
  outputTokens?: number;
}

export interface GenRequest {
  route: GenRoute;
  /** Model named by the request (echoed), or the server's model. */
  model: string;
  stream: boolean;
  /** OpenAI: stream_options.include_usage. */
  includeUsage: boolean;
  promptTokens: number;
  maxTokens?: number;
  minTokens?: number;
  ignoreEos: boolean;
  mock?: MockOverride;
  /** DashScope: parameters.incremental_output. */
  incremental: boolean;
  /** DashScope: parameters.result_format === 'message'. */
  messageFormat: boolean;
  /** Embeddings and rerank: what the batch holds (no generation). */
  batch?: BatchRequest;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional positive integer field (max_tokens and friends). */
export function optPositiveInt(v: unknown, what: string, min = 1): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new BadRequest(`${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses the body field "mock": {fault, ms, ttft_ms, itl_ms, output_tokens}. */
export function parseMockOverride(v: unknown): MockOverride | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new BadRequest('mock: must be an object like {"fault": "stall", "ms": 500} or {"ttft_ms": 100}');
  const o: MockOverride = {};
  if (v.fault !== undefined) { o.fault = v.fault; o.ms = v.ms; }
  const num = (x: unknown, what: string): number | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new BadRequest(`mock.${what}: must be a non-negative number`);
    return x;
  };
  const ttft = num(v.ttft_ms, 'ttft_ms');
  if (ttft !== undefined) o.ttftMs = ttft;
  const itl = num(v.itl_ms, 'itl_ms');
  if (itl !== undefined) o.itlMs = itl;
  const ot = optPositiveInt(v.output_tokens, 'mock.output_tokens');
  if (ot !== undefined) o.outputTokens = ot;
  return o;
}

/** A JSON string literal for `s` (model names come from clients). */
export function q(s: string): string {
  return JSON.stringify(s);
}
