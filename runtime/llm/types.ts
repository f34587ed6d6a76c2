/** Types of the llm module, shared by the host client, the bridge and the record store. */
import type { ErrorCode } from './error-codes.ts';

export type TokenSource = 'usage' | 'tokenizer' | 'estimated';

// The script-facing shapes are defined once, in the public types (types/llm.d.ts).
export type { LlmResult, Usage } from '../../types/llm.d.ts';

/** One request as it is stored (SQLite, outputs) and aggregated into metrics. */
export interface RequestRecord {
  id: number;
  scenario: string;
  vu: number;
  iter: number;
  api: string;
  model: string;
  url: string;
  tags: Record<string, string>;
  /** ms since run start (monotonic); planned start of the iteration, arrival-rate executors only */
  plannedStart: number | null;
  /** t0 in ms since run start (monotonic) */
  start: number;
  /** t0 as wall clock ms since epoch */
  startWall: number;
  /** t0 on CLOCK_MONOTONIC in ms, comparable with other processes on the host (mock traces) */
  startMono: number;
  ttfb: number | null;
  ttft: number | null;
  e2e: number | null;
  tpot: number | null;
  itl: number[];
  chunks: number;
  inputTokens: number | null;
  outputTokens: number | null;
  inputTokenSource: TokenSource | null;
  outputTokenSource: TokenSource | null;
  status: number;
  ok: boolean;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  finishReason: string | null;
  bytesSent: number;
  bytesReceived: number;
  requestBody: string | null;
  responseText: string | null;
  /** met every SLO in options.slo (null when no SLO configured or the request failed) */
  good: boolean | null;
}

/** Options a script passes as the second argument of llm.chat / complete / request. */
export interface LlmCallOptions {
  tags?: Record<string, string>;
  name?: string;
  headers?: Record<string, string>;
  /** per-request total timeout: ms or a duration string */
  timeout?: number | string;
  api?: string;
  url?: string;
  model?: string;
}
