/**
 * The messages between the main thread and the I/O threads (runtime/llm/io/worker.ts), typed in
 * one place. The main thread opens a session per run (its undici Agent settings and API plugin),
 * sends requests in batches, cancels them when the run stops, and closes the session; an I/O thread
 * answers with finished exchanges in batches and, every second, its own health (how late its event
 * loop ran, how busy it was).
 */
import type { BuiltRequest } from '../api.ts';
import type { RawExchange } from '../exchange.ts';

export interface SessionSettings {
  /** connections per origin of this session's Agent */
  connections: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** an API plugin file to load in the thread (its parseEvent/parseBody run there) */
  pluginFile?: string;
  /** accept any TLS certificate (insecureSkipTLSVerify) */
  insecureSkipTLSVerify?: boolean;
}

export interface SendItem {
  id: number;
  req: BuiltRequest;
  /** the adapter's name: a built-in, or the session's plugin */
  api: string;
  totalTimeoutMs: number;
}

export type ToIo =
  | { t: 'open'; session: number; settings: SessionSettings }
  | { t: 'send'; session: number; items: SendItem[] }
  | { t: 'cancel'; ids: number[]; message: string }
  | { t: 'close'; session: number };

/** One second of an I/O thread's life. */
export interface IoHealth {
  /** event-loop delay while requests were open: how late the thread got to its sockets, ms (p99, max) */
  lagP99Ms: number;
  lagMaxMs: number;
  /** share of the second the thread was busy (event-loop utilisation, 0..1) */
  utilization: number;
  /** requests open at the end of the second */
  inflight: number;
  /** whether any request was open during the second (lag and utilisation matter only then) */
  active: boolean;
}

export type FromIo =
  /** `clockOffset`: CLOCK_MONOTONIC ms minus performance.now() in the thread, to convert its times */
  | { t: 'ready'; clockOffset: number; /** the thread's Linux thread id (null elsewhere) */ tid: number | null }
  | { t: 'opened'; session: number; error?: string }
  | { t: 'done'; items: Array<{ id: number; x: RawExchange }> }
  | { t: 'health'; health: IoHealth }
  | { t: 'closed'; session: number };
