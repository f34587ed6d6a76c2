/**
 * The HTTP side of the llm module, for one run: requests go to the I/O threads (runtime/llm/io/),
 * which write them, timestamp every response chunk where nothing else runs and hand finished
 * exchanges back; or, with --io-threads 0, are sent from the main thread itself (the same exchange
 * code, timed between the VUs' turns). The client only collects raw facts (times, texts, usage,
 * errors); runtime/llm/result.ts turns them into the metric definitions.
 */
import { availableParallelism } from 'node:os';
import { Agent } from './agent.ts';
import { nextTurn, onAbort } from '../abort-hooks.ts';
import type { ApiAdapter, BuiltRequest } from './api.ts';
import { cancelledExchange, exchange, type RawExchange } from './exchange.ts';
import { IoSession, warmIoThreads, type IoStats } from './io/threads.ts';
import type { IoHealth } from './io/protocol.ts';

export type { RawExchange };
export type { IoStats, IoHealth };

export interface ClientOptions {
  /** max connections per origin: sized to the VU count */
  connections: number;
  connectTimeoutMs: number;
  /** idle time between bytes (headers and body) */
  readTimeoutMs: number;
  /** I/O threads (0: send from the main thread) */
  ioThreads: number;
  /** an API plugin file the I/O threads load (its parseEvent/parseBody run there) */
  pluginFile?: string | undefined;
  /** accept any TLS certificate (insecureSkipTLSVerify) */
  insecureSkipTLSVerify?: boolean;
}

/**
 * The default number of I/O threads: half the cores the process may use, between 1 and 8. One thread
 * times a few thousand concurrent streams; the other cores are left to the main thread (VU code,
 * metrics, storage) and, often, to the server under test.
 */
export function defaultIoThreads(cores = availableParallelism()): number {
  return Math.min(8, Math.max(1, Math.floor(cores / 2)));
}

export class LlmClient {
  private constructor(
    private readonly io: IoSession | null,
    private readonly agent: Agent | null,
    private readonly readTimeoutMs: number,
  ) {}

  /** Starts the I/O threads a run will use, ahead of LlmClient.open (0: none). */
  static warm(ioThreads: number): void {
    if (Number.isInteger(ioThreads) && ioThreads > 0 && ioThreads <= 64) warmIoThreads(ioThreads);
  }

  static async open(opts: ClientOptions): Promise<LlmClient> {
    if (opts.ioThreads > 0) {
      const io = await IoSession.open({
        threads: opts.ioThreads,
        connections: opts.connections,
        connectTimeoutMs: opts.connectTimeoutMs,
        readTimeoutMs: opts.readTimeoutMs,
        ...(opts.pluginFile ? { pluginFile: opts.pluginFile } : {}),
        ...(opts.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
      });
      return new LlmClient(io, null, opts.readTimeoutMs);
    }
    const agent = new Agent({
      connections: Math.max(1, opts.connections),
      pipelining: 1,
      connect: { timeout: opts.connectTimeoutMs, noDelay: true, ...(opts.insecureSkipTLSVerify ? { rejectUnauthorized: false } : {}) },
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: opts.readTimeoutMs,
      bodyTimeout: opts.readTimeoutMs,
    });
    return new LlmClient(null, agent, opts.readTimeoutMs);
  }

  /** The I/O threads' lag and load over the run (null with --io-threads 0). */
  get ioStats(): IoStats | null {
    return this.io?.stats ?? null;
  }

  /** Called with every second an I/O thread had requests open (null with --io-threads 0). */
  set onIoHealth(fn: ((h: IoHealth) => void) | undefined) {
    if (this.io) this.io.onHealth = fn;
  }

  /**
   * Sends one request and resolves when it has ended (successfully or not). Never rejects:
   * failures come back as an errorCode, with every time observed so far. Times are this thread's
   * performance.now().
   */
  send(req: BuiltRequest, api: ApiAdapter, opts: { totalTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<RawExchange> {
    if (this.io) return this.io.send(req, api, opts, onAbort);
    if (opts.signal?.aborted) return nextTurn(cancelledExchange(req));
    return new Promise<RawExchange>((resolve) => {
      let uncancel: (() => void) | undefined;
      const h = exchange(this.agent!, req, api, { totalTimeoutMs: opts.totalTimeoutMs ?? 0, readTimeoutMs: this.readTimeoutMs }, (x) => {
        uncancel?.();
        resolve(x);
      });
      if (opts.signal) uncancel = onAbort(opts.signal, () => h.cancel());
    });
  }

  async close(): Promise<void> {
    if (this.io) await this.io.close();
    if (this.agent) await this.agent.destroy();
  }
}
