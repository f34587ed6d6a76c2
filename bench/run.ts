/**
 * `npm run bench`: the benchmark suite (see docs/bench.md). Starts its own mock servers (core 0)
 * and clients (core 1), runs every scenario, prints a markdown report and writes it to
 * bench/results/YYYY-MM-DD-HHMM.md.
 *
 * Environment: BENCH_QUICK=1 (~1 minute smoke run), BENCH_SIZE=tiny|quick|full, BENCH_ONLY=a,b
 * (ceiling, accuracy, openloop, memory, metrics, startup), BENCH_PROFILE=1 (CPU profiles of the
 * llmperf processes in the ceiling and accuracy scenarios, summarised in the report),
 * BENCH_OUT_DIR (where the report goes), BENCH_KEEP=1 (keep the scratch folder), BENCH_WAIT_QUIET=<s>
 * (before each scenario, wait up to s seconds for other processes to stop using the CPU).
 * Exit code 0 when the report was written (targets may fail), 1 when a scenario could not run,
 * 2 for a bad BENCH_* setting.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { accuracy } from './accuracy.ts';
import { burst } from './burst.ts';
import { ceiling } from './ceiling.ts';
import { benchSize, SCENARIOS, selectedScenarios, type ScenarioName } from './config.ts';
import type { BenchCtx, ScenarioOut } from './context.ts';
import { memory, metricsMemory } from './memory.ts';
import { openLoop } from './open-loop.ts';
import { canPin, CLI, machineBusySeconds, ownCpuSeconds, ROOT } from './procs.ts';
import { startup } from './startup.ts';
import { renderReport, type Report } from './table.ts';

const RUNNERS: Record<ScenarioName, (ctx: BenchCtx) => Promise<ScenarioOut>> = {
  ceiling, accuracy, burst, openloop: openLoop, memory, metrics: metricsMemory, startup,
};

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

function commit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function version(): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** BENCH_WAIT_QUIET=<s>: before each scenario, wait (up to s seconds) for a second in which other processes use < 10% of a core. */
async function waitQuiet(maxMs: number, log: (m: string) => void): Promise<void> {
  const until = performance.now() + maxMs;
  let warned = false;
  while (performance.now() < until) {
    const m0 = machineBusySeconds();
    const o0 = ownCpuSeconds();
    await new Promise((r) => setTimeout(r, 1000));
    const other = machineBusySeconds() - m0 - (ownCpuSeconds() - o0);
    if (!(other > 0.1)) return;
    if (!warned) log(`waiting for other processes to go quiet (${(other * 100).toFixed(0)}% of a core busy)`);
    warned = true;
  }
  log('the machine did not go quiet: running anyway');
}

async function main(): Promise<number> {
  if (!existsSync(CLI) || !existsSync(path.join(ROOT, 'dist', 'cli.js'))) {
    process.stderr.write('dist/cli.js is missing: run `node build.mjs` first (npm run bench does)\n');
    return 1;
  }
  const size = benchSize();
  const names = selectedScenarios();
  const started = new Date();
  const tmp = mkdtempSync(path.join(tmpdir(), 'llmperf-bench-'));
  const profileDir = process.env.BENCH_PROFILE === '1' ? path.join(tmp, 'profiles') : undefined;
  const log = (m: string): void => { process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}\n`); };
  const t0 = performance.now();
  const ctx: BenchCtx = { size, tmp, profileDir, log };
  const report: Report = {
    title: `llmperf benchmark, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC (${size.name})`,
    header: [
      ['llmperf', `${version()} (commit ${commit()})`],
      ['node', process.version],
      ['machine', `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores`],
      ['pinning', canPin() ? 'mock on core 0, clients on core 1 (taskset)' : 'none (taskset or a second core is missing): figures are not comparable with pinned runs'],
      ['size', `${size.name}${names.length < SCENARIOS.length ? `, only ${names.join(', ')}` : ''}`],
      ['baseline', 'bench/baseline-client.ts: bare undici Agent.dispatch closed loops, SSE split on "\\n\\n", no JSON parsing'],
    ],
    rows: [],
    notes: [],
    appendix: [],
  };
  let broken = false;
  const background: string[] = [];
  let noisy = false;
  const quietWait = Number(process.env.BENCH_WAIT_QUIET ?? 0) * 1000;
  for (const n of names) {
    if (quietWait > 0) await waitQuiet(quietWait, log);
    const m0 = machineBusySeconds();
    const o0 = ownCpuSeconds();
    const w0 = performance.now();
    try {
      const out = await RUNNERS[n](ctx);
      report.rows.push(...out.rows);
      report.notes.push(...out.notes);
      report.appendix.push(...out.appendix);
    } catch (e) {
      broken = true;
      log(`${n}: ERROR ${(e as Error).message}`);
      report.rows.push({ scenario: n, measure: 'error', llmperf: (e as Error).message.slice(0, 200), baseline: '-', result: '-', target: 'runs', pass: false });
    }
    // CPU used by processes outside the benchmark while this scenario ran, in cores.
    const other = (machineBusySeconds() - m0 - (ownCpuSeconds() - o0)) / ((performance.now() - w0) / 1000);
    if (Number.isFinite(other)) {
      background.push(`${n} ${Math.max(0, other * 100).toFixed(0)}%`);
      if (other > 0.1) noisy = true;
    }
  }
  if (background.length) {
    report.notes.unshift(['Background load', `CPU used by processes outside the benchmark while each scenario ran, in % of one core: ${background.join(', ')}.`]);
    if (noisy) report.header.push(['WARNING', 'other processes used more than 10% of a core during some scenarios (see Background load): the figures are disturbed; rerun on a quiet machine']);
  }
  report.header.push(['duration', `${((performance.now() - t0) / 1000).toFixed(0)} s`]);
  const md = renderReport(report);
  const outDir = process.env.BENCH_OUT_DIR ? path.resolve(process.env.BENCH_OUT_DIR) : path.join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stamp(started)}${size.name === 'full' ? '' : `-${size.name}`}.md`);
  writeFileSync(file, md);
  process.stdout.write(md + '\n');
  log(`report written to ${path.relative(process.cwd(), file) || file}`);
  if (profileDir || process.env.BENCH_KEEP === '1') log(`scratch files (profiles, traces, records) kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
  return broken ? 1 : 0;
}

process.exitCode = await main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.message}\n`);
  return 2;
});
