/**
 * CLOCK_MONOTONIC (process.hrtime) in ms minus this thread's performance.now(): converts a thread's
 * times into the host's monotonic clock, which every thread and process on the host shares (the I/O
 * threads' times into the main thread's, a request's start into a mock trace's). The two readings
 * cannot be taken at once: a thread preempted between them (a busy machine) would be off by the
 * time it waited, for the whole run. So the hrtime reading is bracketed by two performance.now()
 * readings, several times, and the tightest bracket gives the offset (error below its half width).
 */
export function monotonicOffset(): number {
  let width = Infinity;
  let offset = 0;
  for (let i = 0; i < 32; i++) {
    const before = performance.now();
    const mono = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < width) {
      width = after - before;
      offset = mono - (before + after) / 2;
      // both clocks read in under 20 µs: no preemption came between them
      if (width < 0.02 && i >= 2) break;
    }
  }
  return offset;
}
