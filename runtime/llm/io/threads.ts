/**
 * The I/O threads, main-thread side. One pool per process, started on first use and grown to the
 * largest --io-threads asked for (threads are kept for later runs: sweeps, perf sweeps and tests run
 * many); each run opens a session on the first N threads (IoSession) and sends every request to the
 * thread with the fewest open, in batches of one message per turn of the main event loop.
 *
 * Times: each thread timestamps with its own performance.now(), whose origin differs from the main
 * thread's by up to milliseconds. At start-up a thread reports CLOCK_MONOTONIC minus its
 * performance.now(); exchanges are shifted into the main thread's time base when they arrive.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism, getPriority, setPriority } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { nextTurn } from '../../abort-hooks.ts';
import type { ApiAdapter, BuiltRequest } from '../api.ts';
import { cancelledExchange, failedExchange, type RawExchange } from '../exchange.ts';
import type { FromIo, IoHealth, SendItem, SessionSettings, ToIo } from './protocol.ts';
import { monotonicOffset } from '../../monotonic.ts';

/** Lag and busy figures of the I/O threads over a run (summary.json `client.io`). */
export interface IoStats {
  threads: number;
  /** seconds in which a thread had requests open */
  activeSeconds: number;
  /** worst per-second p99 of a thread's event-loop delay while requests were open, ms */
  lagP99Ms: number;
  lagMaxMs: number;
  /** seconds in which a thread's delay p99 exceeded the late limit */
  lateSeconds: number;
  /** highest per-second utilisation of a thread (0..1), and seconds above the busy limit */
  maxUtilization: number;
  busySeconds: number;
}

class IoThread {
  readonly worker: Worker;
  /** add to a time of this thread to get the main thread's performance.now() */
  private shift = 0;
  readonly ready: Promise<void>;
  open = 0;
  /** the thread's Linux thread id, once ready (null elsewhere) */
  tid: number | null = null;
  private readonly pending = new Map<number, (x: RawExchange) => void>();
  private readonly opened = new Map<number, (error: string | undefined) => void>();
  private readonly closed = new Map<number, () => void>();
  private outbox = new Map<number, SendItem[]>();
  private cancels: number[] = [];
  private flushScheduled = false;
  /** health listeners: the sessions open on this thread */
  readonly healthListeners = new Set<(h: IoHealth) => void>();
  failure: Error | undefined;

  constructor(entry: URL) {
    // no loaders (tsx) or engine flags in the thread; CPU profiling flags pass through (bench: BENCH_PROFILE=1)
    this.worker = new Worker(entry, { execArgv: process.execArgv.filter((f) => f.startsWith('--cpu-prof')) });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', (e) => {
        this.failure = e;
        reject(e);
        for (const [, r] of this.pending) r(failedExchange('REQUEST_ERROR', `the I/O thread failed: ${e.message}`));
        this.pending.clear();
      });
      this.worker.on('message', (m: FromIo) => {
        switch (m.t) {
          case 'ready':
            this.shift = m.clockOffset - monotonicOffset();
            this.tid = m.tid;
            resolve();
            break;
          case 'done':
            for (const { id, x } of m.items) {
              const r = this.pending.get(id);
              if (!r) continue;
              this.pending.delete(id);
              this.open--;
              r(this.toMain(x));
            }
            break;
          case 'opened':
            this.opened.get(m.session)?.(m.error);
            this.opened.delete(m.session);
            break;
          case 'closed':
            this.closed.get(m.session)?.();
            this.closed.delete(m.session);
            this.release();
            break;
          case 'health':
            for (const l of this.healthListeners) l(m.health);
            break;
        }
      });
    });
    // The pool outlives runs but must not keep the process alive between them: the thread is
    // referenced while it starts and while sessions are open (their replies are awaited), not after.
    void this.ready.then(() => this.release(), () => undefined);
  }

  /** The thread's times, in the main thread's time base. */
  private toMain(x: RawExchange): RawExchange {
    const s = this.shift;
    x.t0 += s;
    if (x.tHeaders !== null) x.tHeaders += s;
    if (x.tEnd !== null) x.tEnd += s;
    if (x.tAnswer !== null) x.tAnswer += s;
    const t = x.outputTimes;
    for (let i = 0; i < t.length; i++) t[i]! += s;
    return x;
  }

  post(m: ToIo): void {
    this.worker.postMessage(m);
  }

  /** holders of a reference: the start-up, and each open session */
  private refs = 1;
  private release(): void {
    if (--this.refs === 0) this.worker.unref();
  }

  openSession(session: number, settings: SessionSettings): Promise<string | undefined> {
    if (this.refs++ === 0) this.worker.ref();
    return new Promise((resolve) => {
      this.opened.set(session, resolve);
      this.post({ t: 'open', session, settings });
    });
  }

  closeSession(session: number): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      this.closed.set(session, resolve);
      this.post({ t: 'close', session });
    });
  }

  send(session: number, item: SendItem, done: (x: RawExchange) => void): void {
    this.pending.set(item.id, done);
    this.open++;
    let box = this.outbox.get(session);
    if (!box) this.outbox.set(session, (box = []));
    box.push(item);
    this.schedule();
  }

  cancel(id: number): void {
    if (!this.pending.has(id)) return;
    this.cancels.push(id);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.size) {
      const box = this.outbox;
      this.outbox = new Map();
      for (const [session, items] of box) this.post({ t: 'send', session, items });
    }
    if (this.cancels.length) {
      this.post({ t: 'cancel', ids: this.cancels, message: 'request cancelled: the run is stopping' });
      this.cancels = [];
    }
  }
}

// ---- the process-wide pool

const threads: IoThread[] = [];

/** The first `n` I/O threads, started if needed. */
async function pool(n: number): Promise<IoThread[]> {
  while (threads.length < n) threads.push(new IoThread(workerEntry()));
  const mine = threads.slice(0, n);
  await Promise.all(mine.map((t) => t.ready));
  yieldMainThread(n);
  return mine;
}

/**
 * When the I/O threads must share cores with the rest of the process (fewer cores than I/O threads:
 * a one-core cpuset, `taskset`, a small container), the kernel would let the main thread's
 * bookkeeping, the requests.sqlite writer or a GC helper run on for a time slice while an I/O thread
 * has bytes to timestamp: 500 streams ending together then read tens of ms late. So every other
 * thread of the process steps back (nice +10, Linux), the I/O threads keep their priority, and an
 * I/O thread that wakes up takes the core at once. The other threads keep their priorities relative
 * to each other (the arrival schedule on the main thread is not put behind the writer). Done once
 * per process, after the I/O threads exist; threads made later inherit the step from the thread
 * that makes them. LLMPERF_MAIN_NICE=N sets the step (0: never; any machine when set).
 */
let stepTaken = false;
function yieldMainThread(ioThreads: number): void {
  if (stepTaken || !isMainThread || process.platform !== 'linux') return;
  const env = process.env.LLMPERF_MAIN_NICE;
  const step = env !== undefined && env.trim() !== '' ? Number(env) : availableParallelism() <= ioThreads ? 10 : 0;
  if (!(step > 0)) return;
  stepTaken = true;
  const keep = new Set(threads.map((t) => t.tid));
  const stepped = new Set<number>();
  const stepBack = (tid: number): void => {
    stepped.add(tid);
    try {
      // on Linux a thread id names that thread alone
      setPriority(tid, Math.min(19, getPriority(tid) + Math.round(step)));
    } catch {
      // a thread that ended meanwhile, or a sandbox that forbids it: the I/O threads still time the responses
    }
  };
  // The main thread steps back last: stepped first, it would run the rest of the walk behind every
  // thread not yet stepped, and a thread those threads start meanwhile (esbuild's sync worker, made by
  // the module loader's thread) would inherit the old priority. A walk that meets a thread the
  // previous walk did not see walks again, so a thread started during a walk is stepped too.
  for (let walk = 0; walk < 8; walk++) {
    let tids: number[];
    try {
      tids = readdirSync('/proc/self/task').map(Number);
    } catch {
      break;
    }
    const fresh = tids.filter((tid) => tid !== process.pid && !keep.has(tid) && !stepped.has(tid));
    if (fresh.length === 0) break;
    for (const tid of fresh) stepBack(tid);
  }
  stepBack(process.pid);
}

/**
 * Starts the first `n` I/O threads without waiting for them: a run calls it before loading its
 * script, so that the threads load their modules (undici alone takes ~150 ms to compile) while the
 * main thread bundles the script and builds the VUs. A thread that fails to start is reported by the
 * session that opens it.
 */
export function warmIoThreads(n: number): void {
  pool(n).catch(() => undefined);
}

/**
 * The I/O thread's module: dist/io-worker.js when llmperf runs from its build (the chunks live beside
 * it); from source (tests, bench through tsx), runtime/llm/io/worker.ts bundled once with esbuild into
 * node_modules/.cache/llmperf (packages stay external and resolve from the checkout).
 */
let entry: URL | undefined;
function workerEntry(): URL {
  if (entry) return entry;
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith('.js')) return (entry = new URL('./io-worker.js', here));
  const src = fileURLToPath(new URL('./worker.ts', here));
  const root = path.resolve(path.dirname(src), '..', '..', '..');
  // esbuild is a runtime dependency (scripts are bundled with it); required lazily: only source runs need it here
  const esbuild = createRequire(path.join(root, 'package.json'))('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({ entryPoints: [src], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.text;
  const dir = path.join(root, 'node_modules', '.cache', 'llmperf');
  const file = path.join(dir, `io-worker-${createHash('sha1').update(code).digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, code);
    try {
      renameSync(tmp, file);
    } catch {
      /* another process wrote it first */
    }
  }
  return (entry = new URL(`file://${file}`));
}

// ---- one run's session

let nextSession = 1;
let nextId = 1;

export interface IoSessionOptions extends SessionSettings {
  threads: number;
  /** a thread's event-loop delay p99 above this (ms) counts as timestamps taken late */
  lateMs?: number;
  /** a thread busier than this share of a second counts as saturated */
  busyShare?: number;
}

/** One run's connections over the I/O threads: the transport of LlmClient. */
export class IoSession {
  private readonly id = nextSession++;
  readonly stats: IoStats;
  private constructor(
    private readonly threads: IoThread[],
    opts: IoSessionOptions,
  ) {
    this.stats = { threads: threads.length, activeSeconds: 0, lagP99Ms: 0, lagMaxMs: 0, lateSeconds: 0, maxUtilization: 0, busySeconds: 0 };
    const lateMs = opts.lateMs ?? 5;
    const busy = opts.busyShare ?? 0.9;
    this.listener = (h) => {
        if (!h.active) return;
        const s = this.stats;
        s.activeSeconds++;
        if (h.lagP99Ms > s.lagP99Ms) s.lagP99Ms = h.lagP99Ms;
        if (h.lagMaxMs > s.lagMaxMs) s.lagMaxMs = h.lagMaxMs;
        if (h.lagP99Ms > lateMs) s.lateSeconds++;
        if (h.utilization > s.maxUtilization) s.maxUtilization = h.utilization;
        if (h.utilization > busy) s.busySeconds++;
        this.onHealth?.(h);
    };
    for (const t of threads) t.healthListeners.add(this.listener);
  }

  private readonly listener: (h: IoHealth) => void;

  /** Called with every active second of every thread (the run's warnings). */
  onHealth: ((h: IoHealth) => void) | undefined;

  static async open(opts: IoSessionOptions): Promise<IoSession> {
    const ts = await pool(Math.max(1, opts.threads));
    const s = new IoSession(ts, opts);
    const { threads: _n, lateMs: _l, busyShare: _b, ...settings } = opts;
    const errors = await Promise.all(ts.map((t) => t.openSession(s.id, settings)));
    const err = errors.find((e) => e !== undefined);
    if (err) {
      await s.close();
      throw new Error(err);
    }
    return s;
  }

  send(req: BuiltRequest, api: ApiAdapter, opts: { totalTimeoutMs?: number; signal?: AbortSignal }, cancelHook: (signal: AbortSignal, fn: () => void) => () => void): Promise<RawExchange> {
    if (opts.signal?.aborted) return nextTurn(cancelledExchange(req));
    let t = this.threads[0]!;
    for (let i = 1; i < this.threads.length; i++) if (this.threads[i]!.open < t.open) t = this.threads[i]!;
    const id = nextId++;
    const thread = t;
    return new Promise<RawExchange>((resolve) => {
      const uncancel = opts.signal ? cancelHook(opts.signal, () => thread.cancel(id)) : undefined;
      thread.send(this.id, { id, req, api: api.name, totalTimeoutMs: opts.totalTimeoutMs ?? 0 }, (x) => {
        uncancel?.();
        resolve(x);
      });
    });
  }

  async close(): Promise<void> {
    for (const t of this.threads) t.healthListeners.delete(this.listener);
    await Promise.all(this.threads.map((t) => t.closeSession(this.id)));
  }
}
