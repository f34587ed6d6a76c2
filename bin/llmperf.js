#!/usr/bin/env -S node --no-node-snapshot
// Launcher. isolated-vm needs --no-node-snapshot on Node >= 20: the shebang passes it. When started
// some other way without it (`node bin/llmperf.js`), re-exec once with it.
//
// Confined to one core (taskset, a one-CPU cpuset), V8's parallel and concurrent GC helper threads
// can only run by preempting the main thread, which is the thread that timestamps every byte:
// there the launcher also passes --single-threaded-gc, and --max-semi-space-size=2 so that each
// scavenge (a pause of that thread) stays short (measured in bench/: the TTFT and ITL p99 tails
// shrink by several ms, throughput stays). LLMPERF_GC_THREADS=1 keeps V8's defaults; a
// --max-semi-space-size given to node wins.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const need = ['--no-node-snapshot'];
if (availableParallelism() <= 1 && process.env.LLMPERF_GC_THREADS !== '1') need.push('--single-threaded-gc', '--max-semi-space-size=2');
const given = (f) => process.execArgv.some((a) => a === f || (f.includes('=') && a.startsWith(f.slice(0, f.indexOf('=') + 1))));
const missing = need.filter((f) => !given(f));
if (missing.length === 0) {
  await import(cli);
} else {
  const child = spawn(process.execPath, [...missing, ...process.execArgv, cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the child through the terminal's process group; don't double it. SIGTERM and
  // SIGHUP are usually sent to this pid alone, so pass them on.
  process.on('SIGINT', () => {});
  for (const sig of ['SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { try { child.kill(sig); } catch { /* already gone */ } });
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
