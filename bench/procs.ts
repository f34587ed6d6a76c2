/**
 * Child processes of the benchmark: the mock server (pinned to core 0), the clients (pinned to
 * core 1), their CPU time and peak RSS from /proc, and the mock's /mock/stats.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { nodeFlags } from '../bin/node-flags.js';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'llmperf.js');
/** USER_HZ of /proc/<pid>/stat and /proc/stat (100 on Linux builds in practice). */
const CLK_TCK = 100;

/** CLOCK_MONOTONIC ms, the clock of the mock's trace and of RequestRecord.startMono. */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

let pinning: boolean | undefined;
/** taskset works and there are at least 2 cores: mock on core 0, clients on core 1. */
export function canPin(): boolean {
  if (pinning === undefined) {
    pinning = availableParallelism() >= 2 && process.platform === 'linux'
      && spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return pinning;
}

/**
 * The node flags bin/llmperf.js would add for an llmperf process of the bench (pinned to one core
 * when possible): given up front, the launcher imports the CLI in the same process instead of
 * re-executing, so the pid the bench samples (CPU, RSS) is llmperf's own.
 */
export function llmperfNodeFlags(): string[] {
  return nodeFlags(canPin() ? 1 : availableParallelism(), process.env);
}

/** Spawns `node <args>` pinned to `core` when possible (taskset execs node: same pid). */
export function spawnNode(core: 0 | 1, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const cmd = canPin() ? 'taskset' : process.execPath;
  const argv = canPin() ? ['-c', String(core), process.execPath, ...args] : args;
  const child = spawn(cmd, argv, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) {
    live.add(pid);
    child.once('exit', () => live.delete(pid));
  }
  return child;
}

/**
 * CPU seconds (user + system) used so far by `pid` (all its threads), or by its main thread only
 * with `mainThread`; NaN when /proc is not readable.
 */
export function cpuSeconds(pid: number | undefined, mainThread = false, withChildren = false): number {
  if (pid === undefined) return NaN;
  try {
    const s = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // utime, stime (fields 14, 15); cutime, cstime (16, 17): its reaped children, e.g. esbuild
    const own = Number(f[11]) + Number(f[12]);
    return (withChildren ? own + Number(f[13]) + Number(f[14]) : own) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Involuntary context switches of the main thread of `pid` (how often it was preempted), or NaN. */
export function mainPreemptions(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** VmHWM (peak RSS) of `pid` in MiB, or NaN. */
export function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Children of the benchmark still running (mocks, clients). */
const live = new Set<number>();

/**
 * CPU seconds used by the benchmark: this process and every descendant it has reaped (from
 * /proc/self/stat), plus the children still running: to tell our load from other processes'.
 */
export function ownCpuSeconds(): number {
  let t = cpuSeconds(process.pid, false, true);
  for (const pid of live) {
    const c = cpuSeconds(pid, false, true);
    if (Number.isFinite(c)) t += c;
  }
  return t;
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat, or NaN. */
export function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return (user + nice + system + irq + softirq + steal) / CLK_TCK;
  } catch {
    return NaN;
  }
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** CPU seconds of the process (last sample before it exited) */
  cpuS: number;
  /** of which the main thread (the event loop); the rest is V8/GC, isolate and worker threads */
  mainCpuS: number;
  /** involuntary context switches of the main thread (preempted, e.g. by its own other threads on a pinned core) */
  mainPreemptions: number;
  /** peak RSS, MiB (last VmHWM sample before it exited) */
  peakRssMiB: number;
  wallMs: number;
}

/**
 * Runs a node child to completion, sampling its CPU time and VmHWM every 100 ms (both only grow,
 * so the last sample is within 100 ms of the final value). Killed after `timeoutMs`.
 */
export function runNode(core: 0 | 1, args: string[], timeoutMs: number, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  const t0 = performance.now();
  const child = spawnNode(core, args, opts);
  let stdout = '';
  let stderr = '';
  let cpuS = 0;
  let mainCpuS = 0;
  let preempt = 0;
  let rss = 0;
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const sample = (): void => {
    const c = cpuSeconds(child.pid);
    const r = peakRssMiB(child.pid);
    const mc = cpuSeconds(child.pid, true);
    const pr = mainPreemptions(child.pid);
    if (Number.isFinite(pr)) preempt = pr;
    if (Number.isFinite(c)) cpuS = c;
    if (Number.isFinite(mc)) mainCpuS = mc;
    if (Number.isFinite(r)) rss = r;
  };
  const poll = setInterval(sample, 100);
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', (e) => { clearInterval(poll); clearTimeout(kill); reject(e); });
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, stdout, stderr, cpuS, mainCpuS, mainPreemptions: preempt, peakRssMiB: rss, wallMs: performance.now() - t0 });
    });
  });
}

export interface MockProc {
  url: string;
  pid: number;
  stats(): Promise<MockStatsLite>;
  cpuS(): number;
  stop(): Promise<void>;
}

export interface MockStatsLite {
  requests: number;
  completed: number;
  aborted: number;
}

/** Starts `llmperf mock --port 0 <args>` on core 0; resolves with its URL once it listens. */
export function startMock(args: string[]): Promise<MockProc> {
  const child = spawnNode(0, [...llmperfNodeFlags(), CLI, 'mock', '--port', '0', ...args]);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill('SIGKILL');
      reject(new Error(`mock server did not start (${why}): ${err.trim() || out.trim()}`));
    };
    const timer = setTimeout(() => fail('no "listening" line within 15 s'), 15_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code) => { clearTimeout(timer); if (!out.includes('listening')) fail(`exit code ${code}`); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = m[1]!;
      const pid = child.pid!;
      const exited = new Promise<void>((r) => { if (child.exitCode !== null) r(); else child.once('exit', () => r()); });
      resolve({
        url,
        pid,
        async stats() {
          const base = url.replace(/\/v1$/, '');
          const r = await fetch(`${base}/mock/stats`);
          return (await r.json()) as MockStatsLite;
        },
        cpuS: () => cpuSeconds(pid),
        async stop() {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}
