/**
 * A line writer that never blocks its caller: lines are buffered in memory and handed to a file
 * stream every `intervalMs` or when `highWaterBytes` accumulate; while the stream is saturated
 * (write() returned false) the buffer keeps growing until 'drain'. `.gz` paths are gzipped (as k6).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { ConfigError } from '../errors.ts';

export class BufferedFileWriter {
  private chunks: string[] = [];
  private size = 0;
  private draining = false;
  private failed: Error | null = null;
  private readonly sink: WriteStream | Gzip;
  private readonly file: WriteStream;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
    private readonly opts: { intervalMs?: number; highWaterBytes?: number } = {},
  ) {
    try {
      mkdirSync(dirOf(path), { recursive: true });
    } catch (e) {
      throw new ConfigError(`cannot create the folder for ${path}: ${(e as Error).message}`);
    }
    this.file = createWriteStream(path);
    this.file.on('error', (e) => this.fail(e));
    if (path.endsWith('.gz')) {
      const gz = createGzip();
      gz.on('error', (e) => this.fail(e));
      gz.pipe(this.file);
      this.sink = gz;
    } else this.sink = this.file;
    this.timer = setInterval(() => this.flush(), opts.intervalMs ?? 200);
    this.timer.unref();
  }

  /** Waits until the file is open (so a bad path fails before the run starts). */
  ready(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.file.pending === false) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.file.once('ready', () => resolve());
      this.file.once('error', (e) => reject(new ConfigError(`cannot write ${this.path}: ${e.message}`)));
    });
  }

  write(text: string): void {
    if (this.failed || this.closed) return;
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= (this.opts.highWaterBytes ?? 256 * 1024)) this.flush();
  }

  flush(): void {
    if (this.draining || this.size === 0 || this.failed) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.sink.write(data)) {
      this.draining = true;
      this.sink.once('drain', () => {
        this.draining = false;
        if (this.size >= (this.opts.highWaterBytes ?? 256 * 1024)) this.flush();
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    while (this.draining && !this.failed) await new Promise<void>((r) => this.sink.once('drain', () => r()));
    this.draining = false;
    this.flush();
    await new Promise<void>((resolve) => {
      if (this.failed) return resolve();
      this.file.once('close', () => resolve());
      this.file.once('error', () => resolve());
      this.sink.end();
    });
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    this.chunks = [];
    this.size = 0;
    this.log(`WARN output ${this.path}: write failed (${e.message}); no more points are written to it`);
  }
}

function dirOf(p: string): string {
  return path.dirname(path.resolve(p));
}
