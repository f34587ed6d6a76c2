/**
 * `llmperf capacity`: the largest load (concurrency or rate) at which every SLO holds, found by the
 * search in search.ts with one full run per measured level (runner.ts). Open-loop levels that are
 * clearly over saturation are stopped early and fail as "saturated". Prints each step as it goes and
 * ends with one answer line:
 *
 *     capacity: 8 VUs (concurrency), confirmed — 61.2 req/s, goodput 61.0 req/s; above it, at 9 VUs, p99(llm_ttft)<100 breaks first (104 ms)
 *     capacity: none — even 1 VU fails: p99(llm_ttft)<100 (131 ms)
 */
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { writeJson } from '../results/run-dir.ts';
import { levelLabel, type LevelSpec, type LoadKind } from './levels.ts';
import { dashLevel, toJson, writeSweepFiles } from './output.ts';
import { runLevel, type LevelResult } from './runner.ts';
import { searchCapacity, type SearchResult, type SearchStep } from './search.ts';
import { openResults, openSession, type SessionRequest } from './session.ts';
import { fmtNum } from './slo.ts';
import { levelLine, renderLevelsTable } from './table.ts';

export interface CapacityRequest extends SessionRequest {
  over: LoadKind;
  min: number;
  max: number;
  /** concurrency: absolute step (default 1); rate: relative (default 0.05) */
  precision?: number;
  /** repeat runs of the answer (default 2: the answer, and once more if that repeat failed) */
  confirmations?: number;
  /** stop saturated open-loop levels early (default true) */
  detectSaturation?: boolean;
}

export interface CapacityOutcome {
  exitCode: ExitCodeValue;
  search: SearchResult<LevelResult>;
  /** the answer line */
  answer: string;
  /** every measured level, by load (stdout in the CLI, before the answer) */
  table: string;
  dir: string | undefined;
  report: string | null;
}

export async function runCapacity(req: CapacityRequest): Promise<CapacityOutcome> {
  if (!req.slos.length) throw new ConfigError("capacity: give at least one --slo, e.g. --slo 'p99(llm_ttft)<500'");
  if (!(req.min > 0) || !(req.max >= req.min)) throw new ConfigError(`capacity: --min ${req.min} and --max ${req.max} must satisfy 0 < min <= max`);
  if (req.over === 'concurrency' && (!Number.isInteger(req.min) || !Number.isInteger(req.max))) throw new ConfigError('capacity --over concurrency: --min and --max must be whole numbers of VUs');
  const precision = req.precision ?? (req.over === 'concurrency' ? 1 : 0.05);
  if (!(precision > 0)) throw new ConfigError('--precision must be > 0 (concurrency: VUs, e.g. 1; rate: a fraction, e.g. 0.05)');
  const session = await openSession(req);
  try {
    return await searchLevels(req, precision, session.base);
  } finally {
    await session.close();
  }
}

async function searchLevels(req: CapacityRequest, precision: number, base: CapacityRequest['base']): Promise<CapacityOutcome> {
  const log = req.log;
  const results = openResults(req, 'capacity');
  const measured: LevelResult[] = [];
  const startedAt = new Date();
  const began = performance.now();
  const dash = req.dashboard;
  log(`capacity search over ${req.over} from ${req.min} to ${req.max}; SLOs: ${req.slos.map((s) => s.source).join(', ')}`);

  const search = await searchCapacity<LevelResult>(
    {
      over: req.over,
      min: req.min,
      max: req.max,
      precision,
      confirmations: req.confirmations ?? 2,
      stopped: () => !!req.signal?.aborted,
    },
    async (value, phase) => {
      const spec: LevelSpec = { kind: req.over, value };
      const r = await runLevel(
        {
          base,
          script: req.script,
          shape: req.shape,
          slos: req.slos,
          ...(req.signal ? { signal: req.signal } : {}),
          ...(req.hardSignal ? { hardSignal: req.hardSignal } : {}),
          detectSaturation: req.detectSaturation !== false,
          ...(dash ? { hooks: dash.hooks(`${levelLabel(spec)} (${phase})`) } : {}),
        },
        spec,
        results.levelDir(measured.length, spec),
      );
      measured.push(r);
      dash?.level(dashLevel(r, true));
      log(`[${phase}] ${levelLine(r)}`);
      return r;
    },
  );

  const answer = answerLine(req, search, measured);
  let report: string | null = null;
  if (results.dir) {
    const byLoad = [...measured].sort((a, b) => a.spec.value - b.spec.value);
    const at = search.atCapacity?.result;
    report = await writeSweepFiles(results.dir, byLoad, `llmperf capacity — ${req.script}`, {
      kind: 'capacity',
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - began,
      slos: req.slos.map((s) => s.source),
      answer,
      capacity: search.capacity,
      ...(at ? { focus: byLoad.indexOf(at) } : {}),
    });
    writeJson(path.join(results.dir, 'capacity.json'), {
      over: req.over,
      slos: req.slos.map((s) => s.source),
      min: req.min,
      max: req.max,
      precision,
      capacity: search.capacity,
      confirmed: search.confirmed,
      atMax: search.atMax,
      answer,
      steps: search.steps.map((s) => ({ phase: s.phase, value: s.value, ...stepJson(s) })),
    });
  }
  const table = renderLevelsTable([...measured].sort((a, b) => a.spec.value - b.spec.value), { slo: true });
  let exitCode: ExitCodeValue = search.capacity === null ? ExitCode.THRESHOLDS_FAILED : ExitCode.OK;
  if (search.stopped) exitCode = ExitCode.INTERRUPTED;
  return { exitCode, search, answer, table, dir: results.dir, report };
}

function stepJson(s: SearchStep<LevelResult>): Record<string, unknown> {
  const j = toJson(s.result);
  return { label: j.label, ok: j.ok, failReason: j.failReason, goodput: j.goodput, requestThroughput: s.result.stats.requestThroughput, slo: j.slo, ...(j.runDir ? { runDir: j.runDir } : {}) };
}

function unit(over: LoadKind, v: number): string {
  return levelLabel({ kind: over, value: v });
}

/** Why a level failed, in a few words: the SLO that broke the most, or saturation. */
function breakage(r: LevelResult): string {
  if (r.saturated) return r.saturated;
  const broken = r.slo.filter((x) => !x.ok).sort((a, b) => b.severity - a.severity);
  const b = broken[0];
  if (!b) return r.failReason ?? 'failed';
  const more = broken.length > 1 ? ` (also ${broken.slice(1).map((x) => x.slo.source).join(', ')})` : '';
  return `${b.slo.source} breaks first (${b.observed === null ? 'no data' : fmtNum(b.observed)})${more}`;
}

export function answerLine(req: Pick<CapacityRequest, 'over' | 'min' | 'max'>, s: SearchResult<LevelResult>, measured: readonly LevelResult[]): string {
  const best = measured.filter((m) => m.goodput !== null).sort((a, b) => b.goodput! - a.goodput!)[0];
  const maxGood = best ? `; max goodput ${fmtNum(best.goodput!)} req/s (at ${best.label})` : '';
  if (s.capacity === null) {
    const f = s.firstFailure?.result;
    if (s.stopped && !f) return 'capacity: unknown — interrupted before the first level finished';
    return `capacity: none — even ${unit(req.over, s.firstFailure?.value ?? req.min)} fails: ${f ? breakage(f) : 'failed'}${maxGood}`;
  }
  const at = s.atCapacity?.result;
  const perf = at ? ` — ${fmtNum(at.stats.requestThroughput)} req/s, goodput ${fmtNum(at.goodput ?? 0)} req/s` : '';
  const status = s.stopped ? 'interrupted, not confirmed' : s.confirmed ? 'confirmed' : 'not confirmed';
  const above = s.atMax
    ? `; --max ${unit(req.over, req.max)} itself passed: the capacity is at least that (raise --max)`
    : s.firstFailure
      ? `; above it, at ${unit(req.over, s.firstFailure.value)}, ${breakage(s.firstFailure.result)}`
      : '';
  return `capacity: ${unit(req.over, s.capacity)} (${req.over}), ${status}${perf}${above}${maxGood}`;
}
