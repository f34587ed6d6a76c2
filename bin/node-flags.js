// The node flags llmperf runs with, in one place: the launcher (bin/llmperf.js) adds the missing
// ones and re-executes; the benchmark (bench/procs.ts) passes them itself so that its pid stays
// llmperf's.
//
// --no-node-snapshot: isolated-vm needs it on Node >= 20.
// Confined to one core (taskset, a one-CPU cpuset), V8's parallel and concurrent GC helper threads
// can only run by preempting the main thread, which is the thread that timestamps every byte:
// there --single-threaded-gc, and --max-semi-space-size=2 so that each scavenge (a pause of that
// thread) stays short (measured in bench/: the TTFT and ITL p99 tails shrink by several ms,
// throughput stays). LLMPERF_GC_THREADS=1 keeps V8's defaults.

/** @param {number} cores cores this process may run on @param {Record<string, string | undefined>} env */
export function nodeFlags(cores, env) {
  const flags = ['--no-node-snapshot'];
  if (cores <= 1 && env.LLMPERF_GC_THREADS !== '1') flags.push('--single-threaded-gc', '--max-semi-space-size=2');
  return flags;
}
