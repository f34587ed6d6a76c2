/**
 * requests.sqlite: one row per request. The requests columns are declared in columns.ts; the schema
 * is documented in the README (requests.sqlite).
 *
 * onRecord only buffers (no I/O on the request path). Every `flushMs`, or as soon as `maxRows` are
 * waiting, the batch is posted to a writer thread that inserts it in one transaction, so SQLite's
 * CPU time never pauses the event loop that timestamps responses. WAL with synchronous=NORMAL: a
 * committed batch survives the process being killed. On 'exit' and on SIGINT/SIGTERM/SIGHUP the
 * buffer is handed over and waited for synchronously, so a stopped run keeps every request it completed.
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SampleListener } from '../engine/emitter.ts';
import type { RequestRecord } from '../llm/types.ts';
import { redactUrl } from '../secrets.ts';
import { insertSql, requestsTableSql, rowFactorySource } from './columns.ts';
import { storeWorkerMain, type StoreWorkerData, type StoreWorkerMessage, type StoreWorkerReply } from './store-worker.ts';

export const STORE_SCHEMA_VERSION = 2;

/** The whole database: schema_version, runs (one row per run) and requests (from columns.ts). */
export const STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  name TEXT,
  script TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  target_url TEXT,
  options TEXT,
  llmperf_version TEXT,
  node_version TEXT,
  exit_code INTEGER,
  stop_reason TEXT
);
${requestsTableSql()}
`;

// tsx/esbuild may wrap named functions in __name(); give the eval'd worker a no-op one.
const WORKER_SOURCE = `var __name = (f) => f;\n(${storeWorkerMain.toString()})(require);`;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunRow {
  name: string;
  script: string;
  startedAt: string;
  targetUrl: string;
  /** redacted options, JSON-serialisable */
  options: unknown;
  llmperfVersion: string;
}

export class RequestStore implements SampleListener {
  private worker: Worker | null = null;
  private ack: Int32Array | null = null;
  private posted = 0;
  private buf: RequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private closed = false;
  private error: string | null = null;
  private dead = false;
  private closedReply: Promise<void> = Promise.resolve();
  private urlSeen = '';
  private urlStored = '';
  private readonly onExit = () => this.flushSync();
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.flushSync();
    // Only we listen: restore the default action (terminate) instead of swallowing the signal.
    if (process.listenerCount(sig) === 1) {
      this.detach();
      process.kill(process.pid, sig);
    }
  };

  constructor(
    readonly file: string,
    readonly runId: string,
    private readonly log: (line: string) => void,
    private readonly opts: { flushMs?: number; maxRows?: number } = {},
  ) {}

  /** Creates the database and the runs row (synchronously: errors surface here), then starts the writer. */
  open(run: RunRow): void {
    const db = new Database(this.file);
    try {
      db.pragma('journal_mode = WAL');
      db.exec(STORE_SCHEMA);
      db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
      if (!db.prepare('SELECT 1 FROM schema_version').get()) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(STORE_SCHEMA_VERSION);
      db.prepare('INSERT OR REPLACE INTO runs (run_id, name, script, started_at, target_url, options, llmperf_version, node_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        this.runId, run.name, run.script, run.startedAt, run.targetUrl, JSON.stringify(run.options), run.llmperfVersion, process.version,
      );
    } finally {
      db.close();
    }
    const ack = new SharedArrayBuffer(4);
    const data: StoreWorkerData = {
      file: this.file,
      runId: this.runId,
      sqlitePath: createRequire(import.meta.url).resolve('better-sqlite3'),
      insertSql: insertSql(),
      rowFactory: rowFactorySource(),
      ack,
    };
    // execArgv: [] keeps loaders such as tsx out of the writer thread: it needs none, and a loader
    // hooked to the main thread would deadlock the synchronous flush on 'exit'.
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data, execArgv: [] });
    w.unref();
    this.closedReply = new Promise<void>((resolve) => {
      w.on('message', (m: StoreWorkerReply) => {
        if (m.t === 'closed') resolve();
        else this.fail(m.message);
      });
      w.on('error', (e) => {
        this.dead = true;
        this.fail(e.message);
        resolve();
      });
      w.on('exit', () => {
        this.dead = true;
        resolve();
      });
    });
    this.worker = w;
    this.ack = new Int32Array(ack);
    this.timer = setInterval(() => this.flush(), this.opts.flushMs ?? 200);
    this.timer.unref();
    process.on('exit', this.onExit);
    for (const s of SIGNALS) process.on(s, this.onSignal);
    this.flush();
  }

  onRecord(r: RequestRecord): void {
    if (this.closed) return;
    // a URL's password and secret-looking query parameters (?key=) are not stored (runtime/secrets.ts)
    if (r.url !== this.urlSeen) {
      this.urlSeen = r.url;
      this.urlStored = redactUrl(r.url);
    }
    this.buf.push(this.urlStored === r.url ? r : { ...r, url: this.urlStored });
    if (this.buf.length >= (this.opts.maxRows ?? 1000) && !this.scheduled && this.worker) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Hands the buffered rows to the writer thread. */
  flush(): void {
    if (!this.worker || this.buf.length === 0 || this.error) return;
    this.post({ t: 'rows', rows: this.buf });
    this.buf = [];
  }

  /** flush(), then blocks until the writer has committed everything posted (at most `timeoutMs`). */
  flushSync(timeoutMs = 10_000): void {
    this.flush();
    const ack = this.ack;
    if (!ack || !this.worker || this.dead) return;
    const deadline = Date.now() + timeoutMs;
    for (let seen = Atomics.load(ack, 0); seen < this.posted; seen = Atomics.load(ack, 0)) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(ack, 0, seen, left);
    }
  }

  /** Writes what is buffered, records how the run ended, and closes the database. */
  async close(end?: { exitCode: number; stopReason: string; endedAt: string }): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (!this.worker) return;
    this.flush();
    this.post({ t: 'close' });
    await this.closedReply;
    this.detach();
    await this.worker.terminate();
    this.worker = null;
    const db = new Database(this.file);
    try {
      if (end) db.prepare('UPDATE runs SET ended_at = ?, exit_code = ?, stop_reason = ? WHERE run_id = ?').run(end.endedAt, end.exitCode, end.stopReason, this.runId);
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }

  private post(m: StoreWorkerMessage): void {
    this.worker!.postMessage(m);
    this.posted++;
  }

  private fail(message: string): void {
    if (this.error) return;
    this.error = message;
    this.log(`WARN requests.sqlite: writing failed (${message}); later requests are not stored`);
  }

  private detach(): void {
    process.off('exit', this.onExit);
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }
}
