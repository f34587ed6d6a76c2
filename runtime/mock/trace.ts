/**
 * The mock server's trace file: JSONL, one line per generation request when it ends,
 *   {"id","route","recv","first","last","chunks","outputTokens","fault","status","outcome"[,"requestId"]}
 * recv/first/last are ms on CLOCK_MONOTONIC (Number(process.hrtime.bigint()) / 1e6), comparable with
 * timestamps taken by other processes on the same host; first/last are null when no content was
 * written. fault is null or the injected fault names joined with ",". Lines are appended (the file
 * is not truncated), buffered in memory and written in batches; close() flushes everything.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { ConfigError } from '../errors.ts';

export interface TraceRecord {
  id: string;
  route: string;
  recv: number;
  first: number | null;
  last: number | null;
  chunks: number;
  outputTokens: number;
  fault: string | null;
  status: number;
  outcome: string;
  /** the request's x-request-id header, when it had one (to match client records to trace lines) */
  requestId?: string;
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 200;

export class TraceWriter {
  private buf = '';
  private timer: NodeJS.Timeout | undefined;
  private error: Error | undefined;

  private constructor(private readonly out: WriteStream) {
    out.on('error', (e) => { this.error = e; });
  }

  /** Opens `path` for appending; rejects with ConfigError when it cannot be opened. */
  static open(path: string): Promise<TraceWriter> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(path, { flags: 'a' });
      out.once('error', (e) => reject(new ConfigError(`mock trace file ${path}: ${e.message}`, 'INVALID_CONFIG', { cause: e })));
      out.once('open', () => resolve(new TraceWriter(out)));
    });
  }

  add(r: TraceRecord): void {
    this.buf += JSON.stringify(r) + '\n';
    if (this.buf.length >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buf || this.error) return;
    this.out.write(this.buf);
    this.buf = '';
  }

  /** Writes what is buffered and closes the file. */
  close(): Promise<void> {
    this.flush();
    return new Promise((resolve) => {
      if (this.out.closed || this.out.destroyed) { resolve(); return; }
      this.out.end(() => resolve());
    });
  }
}
