/**
 * How long the calling thread has waited for a CPU (Linux: /proc/thread-self/schedstat, whose
 * second field is the time spent runnable on a run queue, in ns). An inline VU turn timed by the
 * wall clock includes the time the OS gave the CPU to other processes: on a busy machine a turn of
 * 0.2 ms of VU code reads as 100 ms. Subtracting the run-queue wait leaves the time the turn really
 * held the main thread (running, or blocked in the VU's own code), which is what a slow-turn
 * warning is about. Where the file is missing (other systems), the wait reads as 0: wall time.
 *
 * The file stays open; one pread per call, parsed without allocating.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export class RunQueueClock {
  private fd: number | null = null;
  private readonly buf = Buffer.alloc(96);

  /** Opens the calling thread's schedstat: create it on the thread it measures. */
  constructor() {
    try {
      this.fd = openSync('/proc/thread-self/schedstat', 'r');
      this.waitedMs();
    } catch {
      this.close();
    }
  }

  /** ms the thread has spent waiting on a run queue since it started (0 when unknown). */
  waitedMs(): number {
    if (this.fd === null) return 0;
    let n: number;
    try {
      n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    } catch {
      this.close();
      return 0;
    }
    // "<ns on the CPU> <ns waiting on a run queue> <timeslices>\n": the second number
    const b = this.buf;
    let i = 0;
    while (i < n && b[i] !== 32) i++;
    i++;
    let ns = 0;
    for (; i < n; i++) {
      const c = b[i]!;
      if (c < 48 || c > 57) break;
      ns = ns * 10 + (c - 48);
    }
    return ns / 1e6;
  }

  close(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    this.fd = null;
  }
}
