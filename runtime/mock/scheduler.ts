/**
 * One scheduler per mock server: a min-heap of timed tasks ordered by absolute deadline (ms on
 * the monotonic clock) and a single armed wake-up.
 *
 * Precision: a Node timer fires at whole milliseconds and often up to ~1 ms late (or early, when
 * the loop's cached time is stale), so the scheduler sleeps with setTimeout until about SPIN_MS
 * before the earliest deadline and then polls with setImmediate (which still lets the event loop
 * handle I/O on every turn) until the deadline passes. Tasks are run when `nowMs() >= due`: never
 * early, and late only by the event loop's own latency. The price is CPU: while a deadline is less
 * than SPIN_MS away the loop does not sleep, so many slow streams with interleaved deadlines keep
 * one core busy (e.g. 50 streams at itl 20ms measured ~40-70% of a core instead of ~10%; lateness
 * p50 0.005ms instead of ~0.5ms). A wake-up runs at most MAX_PER_WAKE tasks
 * before yielding to I/O, so a burst of due work (itl=0) cannot starve new connections.
 */

/** Milliseconds on CLOCK_MONOTONIC, comparable across processes on this host. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Something the scheduler can run. `due` and `seq` are owned by the scheduler. */
export interface Timed {
  due: number;
  seq: number;
  fire(now: number): void;
}

const SPIN_MS = 1;
const MAX_PER_WAKE = 2048;

export class Scheduler {
  private heap: Timed[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private closed = false;

  get size(): number {
    return this.heap.length;
  }

  /** Runs `task.fire(now)` once nowMs() >= due. A task may reschedule itself from fire(). */
  schedule(task: Timed, due: number): void {
    if (this.closed) return;
    task.due = due;
    task.seq = this.seq++;
    this.push(task);
    if (!this.running && this.heap[0] === task) this.arm();
  }

  /** Drops every pending task and the wake-up; the scheduler accepts nothing afterwards. */
  close(): void {
    this.closed = true;
    this.heap.length = 0;
    this.disarmTimer();
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  private readonly wake = (): void => {
    this.immediate = undefined;
    this.timer = undefined;
    this.timerDue = Infinity;
    this.running = true;
    try {
      let now = nowMs();
      let n = 0;
      const heap = this.heap;
      while (heap.length > 0 && heap[0]!.due <= now && n < MAX_PER_WAKE) {
        const task = this.pop();
        task.fire(now);
        n++;
        if ((n & 31) === 0) now = nowMs();
        else if (heap.length > 0 && heap[0]!.due > now) now = nowMs();
      }
    } finally {
      this.running = false;
      this.arm();
    }
  };

  private arm(): void {
    if (this.closed || this.heap.length === 0) {
      this.disarmTimer();
      return;
    }
    if (this.immediate) return;
    const due = this.heap[0]!.due;
    const delta = due - nowMs();
    if (delta <= SPIN_MS) {
      this.disarmTimer();
      this.immediate = setImmediate(this.wake);
      return;
    }
    if (this.timer && this.timerDue <= due) return;
    this.disarmTimer();
    this.timerDue = due;
    this.timer = setTimeout(this.wake, Math.max(1, Math.floor(delta - SPIN_MS)));
  }

  private disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  private push(t: Timed): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (parent.due < t.due || (parent.due === t.due && parent.seq < t.seq)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  private pop(): Timed {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && less(h[r]!, h[l]!)) c = r;
        if (!less(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: Timed, b: Timed): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
