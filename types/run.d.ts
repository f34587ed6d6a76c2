/**
 * The programmatic API, for Node programs (not for scripts): `import { run } from 'llmperf'`.
 * Node must run with `--no-node-snapshot` (isolated-vm needs it). See docs/programmatic.md.
 */
import type { Options, Stage } from './options.js';
import type { SummaryData } from './summary.js';
import type { ErrorCode, StreamCheck, TokenSource } from './llm.js';

/** An AbortSignal (structural, so these types need neither DOM nor Node typings). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
}

/** Values that override the script's options, as the CLI flags do (the top layer). */
export interface Overrides {
  /** With iterations/duration: replaces the script's scenarios by one default scenario (as k6). */
  vus?: number;
  iterations?: number;
  duration?: string;
  /** Replaces the script's scenarios by a ramping-vus default scenario (k6's --stage). */
  stages?: Stage[];
  /** Accept any TLS certificate (k6's --insecure-skip-tls-verify). */
  insecureSkipTLSVerify?: boolean;
  url?: string;
  model?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  api?: string;
  tokenizer?: string;
  /** Ask streaming servers for token usage (stream_options.include_usage). */
  includeUsage?: boolean;
  connectTimeout?: string;
  readTimeout?: string;
  timeout?: string;
  summaryTrendStats?: string[];
  summaryTimeUnit?: 's' | 'ms' | 'us';
  tags?: Record<string, string>;
  name?: string;
}

/** One metric sample, as listeners see it. */
export interface Sample {
  readonly metric: string;
  readonly value: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Wall clock, ms since the epoch. */
  readonly time: number;
}

/** One finished request, as listeners, the store and outputs see it (times in ms; `start` since the run started, monotonic). */
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
  /** gaps between output-bearing events of the same choice */
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
  /** the server's id of the response (OpenAI's `id`, DashScope's `request_id`): find the request in the server's logs */
  responseId: string | null;
  /** inputs the request carried (embedding inputs, rerank documents); null for generation */
  batchSize: number | null;
  /** prompt tokens the server reported reading from its prefix cache (usage.prompt_tokens_details.cached_tokens); null when not reported */
  cachedTokens: number | null;
  /** first event carrying answer text (not reasoning) - t0 */
  ttftAnswer: number | null;
  /** reasoning and answer tokens of a response that reasoned (null otherwise), and where they came from */
  reasoningTokens: number | null;
  answerTokens: number | null;
  reasoningTokenSource: TokenSource | null;
  /** the reasoning text (null when empty or bodies are not stored) */
  reasoningText: string | null;
  /** whether the response really streamed; 'buffered', 'one_read' and 'not_streamed' have no tpot and no itl (nor their samples) */
  streamCheck: StreamCheck | null;
  /** the response's media type (content-type without parameters) */
  contentType: string | null;
  /** the stream ended without its terminator ([DONE]) but cleanly, after every choice's finish_reason: counted as a success */
  endedWithoutDone: boolean;
  /** choices in the response (1 unless n > 1) */
  choices: number;
  /** every choice's text when there were several and bodies are stored (responseText holds choice 0's) */
  choiceTexts: string[] | null;
}

/** Receives every sample and request record as they happen; must not block (buffer, flush later). */
export interface SampleListener {
  onSample?(s: Sample): void;
  onRecord?(r: RequestRecord): void;
}

export interface RunOptions {
  /** A script path, or inline TypeScript/JavaScript (`baseDir`: where open() and datasets resolve; default cwd). */
  script: string | { source: string; filename?: string; baseDir?: string };
  /** Like CLI flags: the top layer. */
  overrides?: Overrides;
  /** A config layer under the script's options (what `--config file.json` holds). */
  config?: Options;
  /** Script variables (`__ENV`), on top of the system environment unless systemEnv is false. */
  env?: Record<string, string>;
  /** Expose process.env to __ENV and read LLMPERF_* from it (default true). */
  systemEnv?: boolean;
  /** Abort: stop starting iterations, let in-flight ones finish (gracefulStop), then summarise. */
  signal?: AbortSignalLike;
  /** Abort: stop at once. */
  hardSignal?: AbortSignalLike;
  /** Where progress lines, warnings and script logs go (default: stderr). */
  log?: (line: string) => void;
  listeners?: SampleListener[];
  /** Start the built-in mock server when no URL is configured (default true); false: reject with NO_TARGET. */
  embeddedMock?: boolean;
  /** Options of the embedded mock, as `--mock key=value` (e.g. { ttft: '20ms', outputTokens: 16 }). */
  mockOptions?: Record<string, unknown>;
  /** VU contexts sharing one isolate (default 32). */
  vusPerIsolate?: number;
  /** VUs sharing one V8 context (default 1): each keeps its own module state, __VU, __ITER, __ENV, but they share globalThis. */
  vusPerContext?: number;
  /**
   * Run VU code on its isolates' own threads (default false: inline on the main thread, between the
   * responses it times). Threads suit CPU-heavy scripts on machines with cores to spare.
   */
  isolateThreads?: boolean;
  /** Heap limit of each isolate, MB (default 256). */
  isolateMemoryMb?: number;
  /** Probe the target before starting (default true); an unreachable one rejects with TARGET_UNREACHABLE. */
  testConnection?: boolean;
  /** Scale-out: this instance's execution segment and the sequence shared by all instances (k6 syntax). */
  segment?: { segment: string; sequence?: string };
  /** Run setup() only in the segment starting at 0; the others read its data from setupDataFile. */
  setupOnce?: boolean;
  /** With setupOnce: where setup() data is written and read; alone: read it instead of running setup(). */
  setupDataFile?: string;
  /** Keep request bodies and response texts in request records (default true). */
  storeBodies?: boolean;
  /**
   * Log each request and response (secrets redacted): true or 'full' with the bodies (truncated),
   * 'headers' without them (k6's --http-debug and --http-debug=full).
   */
  debug?: boolean | 'headers' | 'full';
  /** Where the script's console output goes (default: `log`), with its level; k6's --console-output writes it to a file. */
  consoleLog?: (level: 'log' | 'info' | 'warn' | 'error' | 'debug', line: string) => void;
  /** Pass the script's console.debug lines on (default true; the CLI shows them only with -v, as k6). */
  consoleDebug?: boolean;
  /** Print no end-of-test summary and skip handleSummary() and summaryExport (k6's --no-summary); the run directory is still written. */
  noSummary?: boolean;
  /** Colours in the text summary (default false). */
  color?: boolean;
  /** Also write the summary JSON to this file. */
  summaryExport?: string;
  /** Keep a run directory (summary.json, requests.sqlite, report.html, ...); default false here, true for `llmperf run`. */
  save?: boolean;
  /** The exact run directory (implies save); else llmperf-results/<name>-<YYYYmmdd-HHMMSS>/. */
  outDir?: string;
  /** The run's name, used in the run directory's name (default: options.name, else the script's file name). */
  name?: string;
  /** Streaming outputs, as `--out`: ["json=points.jsonl", "csv=points.csv"]. */
  outputs?: string[];
  /**
   * Files and folders the script may read besides its own folder (open(), datasets, plugins it
   * names), as `--allow-read PATH`. See the README, "The sandbox".
   */
  allowRead?: string[];
  /** Folders handleSummary() may write to besides the working and run directories, as `--allow-write PATH`. */
  allowWrite?: string[];
  /** Longest time the init code of one VU may take, ms (default 60000). */
  initTimeoutMs?: number;
  /** Evaluate no thresholds, not even llmperf's default one on failed requests (k6's --no-thresholds). */
  noThresholds?: boolean;
  /**
   * Threads that send the requests and timestamp the responses (default: half the cores, 1 to 8);
   * 0 sends them from the main thread, between the VUs' turns. See the README, "I/O threads".
   */
  ioThreads?: number;
}

/** 0 ok, 1 generic, 2 regression, 99 thresholds failed, 100 target unreachable or setup() timeout, 101 teardown() timeout, 104 invalid config, 105 interrupted, 107 script error, 108 script aborted. */
export type ExitCodeValue = 0 | 1 | 2 | 99 | 100 | 101 | 104 | 105 | 107 | 108;

export declare const ExitCode: {
  readonly OK: 0;
  readonly GENERIC: 1;
  readonly REGRESSION: 2;
  readonly THRESHOLDS_FAILED: 99;
  readonly TARGET_UNREACHABLE: 100;
  readonly SETUP_TIMEOUT: 100;
  readonly TEARDOWN_TIMEOUT: 101;
  readonly INVALID_CONFIG: 104;
  readonly INTERRUPTED: 105;
  readonly SCRIPT_ERROR: 107;
  readonly SCRIPT_ABORTED: 108;
};

export interface RunOutput {
  /** What `llmperf run` would exit with: 0, or 99 when a threshold failed, 101 teardown() timed out, 105 interrupted, 108 aborted, 107 when handleSummary() threw, 104 when a result file could not be written. */
  exitCode: ExitCodeValue;
  summary: SummaryData;
  /** The text summary (or handleSummary's `stdout`). */
  stdout: string;
  /** handleSummary's `stderr`, if any. */
  stderr: string;
  /** Files written by handleSummary or summaryExport (absolute paths). */
  files: string[];
  /** The run directory, when saved. */
  runDir?: string;
  /** What could not be written (a full disk, a read-only folder, a path handleSummary may not write), one line each; exitCode is then 104 unless the run failed already. */
  writeFailures: string[];
}

/**
 * Runs a test and resolves with its summary. Rejects with an LlmperfError (with `code` and
 * `exitCode`) when the test cannot run: bad options (ConfigError, 104), a script that fails to
 * bundle or initialise (ScriptError, 107), ... A failed threshold is not an error: exitCode is 99.
 */
export function run(opts: RunOptions): Promise<RunOutput>;

/** Every error llmperf raises on purpose: a stable code, a message that says what to fix, an exit code. */
export declare class LlmperfError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  constructor(code: string, message: string, exitCode: ExitCodeValue, options?: { cause?: unknown });
}
/** Bad options, flags, files or expressions (exit 104). */
export declare class ConfigError extends LlmperfError {
  constructor(message: string, code?: string, options?: { cause?: unknown });
}
/** The script failed to bundle or initialise, or threw in setup/teardown (exit 107). */
export declare class ScriptError extends LlmperfError {
  constructor(message: string, code?: string, options?: { cause?: unknown });
}

/** Maps any error to the exit code and message the CLI would print. */
export function errorExit(e: unknown): { exitCode: ExitCodeValue; message: string };

export interface MockServerOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  ttftMs?: number;
  itlMs?: number;
  outputTokens?: number | { min: number; max: number };
  tokensPerChunk?: number;
  eventsPerWrite?: number;
  usage?: boolean;
  model?: string;
  seed?: number;
  traceFile?: string;
  faults?: Partial<Record<'http_429' | 'http_500' | 'http_503' | 'reset' | 'stall' | 'bad_sse' | 'bad_json' | 'no_done' | 'slow_headers' | 'long_output' | 'jitter', number>> & {
    stallMs?: number;
    slowHeadersMs?: number;
  };
  load?: { ttftPerInflightMs: number; itlPerInflightMs: number };
  jitterPct?: number;
}

export interface MockServer {
  /** e.g. "http://127.0.0.1:41234/v1" */
  readonly url: string;
  readonly port: number;
  stats(): { requests: number; inflight: number; completed: number; aborted: number; byRoute: Record<string, number>; faults: Record<string, number> };
  close(): Promise<void>;
}

/** Starts the built-in mock LLM server (OpenAI-compatible and DashScope). */
export function startMockServer(opts?: MockServerOptions): Promise<MockServer>;
