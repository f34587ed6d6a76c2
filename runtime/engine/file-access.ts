/**
 * What a script may read and write on the host (README, "The sandbox").
 *
 * Reading — open(), the datasets of llmperf/data, dataset and API plugins named by the script, a
 * replay trace: only files inside the script's folder or inside a path of the explicit allow list
 * (`--allow-read PATH`, run()'s allowRead), compared after symlinks are resolved (a link inside the
 * folder to /etc/shadow is refused). Only regular files: devices, FIFOs, sockets and folders are
 * refused, so /dev/zero or a named pipe cannot hang or fill the host. open() reads at most
 * OPEN_MAX_BYTES per file, datasets at most DATASET_MAX_BYTES, checked on the open descriptor.
 *
 * Writing — handleSummary()'s files: relative paths under the working directory (`..` may not leave
 * it, nor a symlinked folder), absolute paths inside the working directory or the run directory, or
 * inside a path of `--allow-write PATH` (run()'s allowWrite); `stdout` and `stderr` print.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';

/** Largest file open() reads (a VU holds it in its isolate, whose heap is --isolate-memory). */
export const OPEN_MAX_BYTES = 256 * 1024 * 1024;
/** Largest dataset or trace file a script may load. */
export const DATASET_MAX_BYTES = 4 * 1024 * 1024 * 1024;

const MB = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;

/** path.resolve, then the real path of the longest existing prefix (symlinks resolved), the rest appended. */
export function realish(abs: string): string {
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(head), ...rest);
    } catch {
      const up = path.dirname(head);
      if (up === head) return abs;
      rest.unshift(path.basename(head));
      head = up;
    }
  }
}

function inside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class FileAccess {
  private readonly readRoots: string[];
  private readonly writeRoots: string[];

  constructor(
    /** the script's folder: relative paths resolve there */
    readonly baseDir: string,
    allowRead: readonly string[] = [],
    allowWrite: readonly string[] = [],
  ) {
    this.readRoots = [baseDir, ...allowRead].map((p) => realish(path.resolve(p)));
    this.writeRoots = allowWrite.map((p) => realish(path.resolve(p)));
  }

  /**
   * The absolute path of `p` (relative to the script's folder) when the script may read it; else a
   * ConfigError saying what is allowed. A path that does not exist passes (the reader says so).
   */
  checkRead(p: string, what: string): string {
    const abs = path.resolve(this.baseDir, p);
    const real = realish(abs);
    if (!this.readRoots.some((r) => inside(real, r))) {
      throw new ConfigError(
        `${what} "${p}": a script reads only files in its own folder (${this.baseDir})${this.readRoots.length > 1 ? ' and the --allow-read paths' : ''}; ` +
          `${real === abs ? abs : `${abs} (-> ${real})`} is outside. Move the file there, or allow it with --allow-read ${path.dirname(real)}`,
        'FILE_ACCESS_DENIED',
      );
    }
    try {
      const st = statSync(real);
      if (!st.isFile() && !st.isDirectory()) throw notRegular(p, what, real);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      // missing: the caller's reader reports it
    }
    return real;
  }

  /** Reads a file the script may read (checkRead), refusing anything but a regular file of at most `maxBytes`. */
  read(p: string, binary: boolean, what = 'open()', maxBytes = OPEN_MAX_BYTES): string | ArrayBuffer {
    const real = this.checkRead(p, what);
    const fd = openSync(real, 'r');
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw notRegular(p, what, real);
      if (st.size > maxBytes) throw tooBig(p, what, st.size, maxBytes);
      // the size a regular file reports is what is read; a file growing meanwhile is cut at the cap
      const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes));
      let off = 0;
      while (off < buf.length) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
      }
      const data = buf.subarray(0, off);
      return binary ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

  /** checkRead for a data file, plus the dataset size cap. */
  checkDataFile(p: string, what: string): string {
    const real = this.checkRead(p, what);
    try {
      const st = statSync(real);
      if (st.isFile() && st.size > DATASET_MAX_BYTES) throw tooBig(p, what, st.size, DATASET_MAX_BYTES);
    } catch (e) {
      if (e instanceof ConfigError) throw e;
    }
    return real;
  }

  /**
   * Where a handleSummary() key may be written: the absolute path, or a ConfigError. `runDir` is the
   * run directory (when saved).
   */
  checkWrite(key: string, runDir: string | undefined): string {
    const cwd = realish(process.cwd());
    const abs = path.resolve(key);
    const real = realish(abs);
    const roots = [cwd, ...(runDir ? [realish(runDir)] : []), ...this.writeRoots];
    // a relative path may not climb out of the working directory (lexically or through a symlinked
    // folder) unless --allow-write covers where it lands
    const ok = this.writeRoots.some((r) => inside(real, r)) || (roots.some((r) => inside(real, r)) && (path.isAbsolute(key) || inside(abs, process.cwd())));
    if (!ok) {
      throw new ConfigError(
        `handleSummary() file "${key}": a script writes only relative paths under the working directory, the run directory, stdout and stderr; ` +
          `${real} is outside. Allow it with --allow-write ${path.dirname(real)}`,
        'FILE_ACCESS_DENIED',
      );
    }
    try {
      const st = statSync(real);
      if (!st.isFile()) throw new ConfigError(`handleSummary() file "${key}": ${real} exists and is not a regular file`, 'FILE_ACCESS_DENIED');
    } catch (e) {
      if (e instanceof ConfigError) throw e;
    }
    return real;
  }
}

function notRegular(p: string, what: string, real: string): ConfigError {
  return new ConfigError(`${what} "${p}": ${real} is not a regular file (devices, pipes, sockets and folders are refused)`, 'FILE_ACCESS_DENIED');
}

function tooBig(p: string, what: string, size: number, max: number): ConfigError {
  return new ConfigError(`${what} "${p}": the file is ${MB(size)}, more than the ${MB(max)} a script may load this way`, 'FILE_TOO_LARGE');
}
