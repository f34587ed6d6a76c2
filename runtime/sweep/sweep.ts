/**
 * `llmperf sweep`: the same script at several load levels, one full run each, then one table and one
 * report of throughput against latency.
 *
 * Levels: --concurrency 1,2,4 / --rate 1,2,5 / options.sweep { concurrency | rate }, or the automatic
 * profile (GuideLLM's "sweep"): a synchronous level (1 VU), a saturating level (many VUs), then
 * `total - 2` Poisson rate levels evenly spaced from the synchronous to the saturating throughput
 * (iterations/s), the last equal to the saturating one.
 */
import { ConfigError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { parseDuration } from '../options/duration.ts';
import type { ScriptOptions } from '../options/resolve.ts';
import { autoRates, describeShape, levelLabel, parseLevelList, type LevelSpec } from './levels.ts';
import { dashLevel, writeSweepFiles } from './output.ts';
import { runLevel, type LevelResult } from './runner.ts';
import { openResults, openSession, type SessionRequest } from './session.ts';
import { levelLine, renderLevelsTable } from './table.ts';

export interface SweepRequest extends SessionRequest {
  /** explicit levels (flags); else options.sweep, else profile */
  levels?: LevelSpec[];
  profile?: 'auto';
  /** auto profile: levels in all, synchronous and saturating included (default 10, as GuideLLM) */
  autoLevels?: number;
  /** auto profile: VUs of the saturating level (default 128) */
  saturationVUs?: number;
  /** the level duration came from a flag (else options.sweep.levelDuration may set it) */
  durationFromFlag?: boolean;
}

export interface SweepOutcome {
  exitCode: ExitCodeValue;
  levels: LevelResult[];
  dir: string | undefined;
  report: string | null;
  /** the table (stdout in the CLI) */
  table: string;
}

export async function runSweep(req: SweepRequest): Promise<SweepOutcome> {
  const session = await openSession(req);
  try {
    return await sweepLevels(req, session.scriptOptions, session.base);
  } finally {
    await session.close();
  }
}

async function sweepLevels(req: SweepRequest, scriptOptions: ScriptOptions, base: SweepRequest['base']): Promise<SweepOutcome> {
  const log = req.log;
  let levels = req.levels;
  const shape = { ...req.shape };
  const sw = (scriptOptions as { sweep?: { concurrency?: unknown; rate?: unknown; levelDuration?: unknown } }).sweep;
  if (sw !== undefined && (sw === null || typeof sw !== 'object' || Array.isArray(sw))) throw new ConfigError('options.sweep must be an object such as { concurrency: [1, 2, 4, 8] } or { rate: [1, 2, 5] }');
  if (!levels && !req.profile && sw) {
    if (sw.concurrency !== undefined && sw.rate !== undefined) throw new ConfigError('options.sweep: give either concurrency or rate, not both');
    if (sw.concurrency !== undefined) levels = parseLevelList(sw.concurrency, 'concurrency', 'options.sweep.concurrency');
    else if (sw.rate !== undefined) levels = parseLevelList(sw.rate, 'rate', 'options.sweep.rate');
    else throw new ConfigError('options.sweep needs concurrency: [...] or rate: [...]');
    if (sw.levelDuration !== undefined && !req.durationFromFlag) shape.durationMs = parseDuration(sw.levelDuration as string | number, 'options.sweep.levelDuration');
  }
  if (!levels && !req.profile) throw new ConfigError('sweep: give the levels: --concurrency 1,2,4,8, --rate 1,2,5,10, --profile auto, or options.sweep in the script');

  const results = openResults(req, 'sweep');
  const done: LevelResult[] = [];
  const startedAt = new Date();
  const began = performance.now();
  const dash = req.dashboard;
  const runOne = async (spec: LevelSpec, total: number | string): Promise<LevelResult> => {
    const i = done.length;
    log(`[${i + 1}/${total}] ${levelLabel(spec)} for ${describeShape(shape)}...`);
    const r = await runLevel(
      { base, script: req.script, shape, slos: req.slos, ...(req.signal ? { signal: req.signal } : {}), ...(req.hardSignal ? { hardSignal: req.hardSignal } : {}), detectSaturation: false, ...(dash ? { hooks: dash.hooks(levelLabel(spec)) } : {}) },
      spec,
      results.levelDir(i, spec),
    );
    done.push(r);
    dash?.level(dashLevel(r, req.slos.length > 0));
    log(`[${i + 1}/${total}] ${levelLine(r)}`);
    return r;
  };

  if (levels) {
    for (const l of levels) {
      if (req.signal?.aborted) break;
      await runOne(l, levels.length);
    }
  } else {
    const total = req.autoLevels ?? 10;
    if (total < 2) throw new ConfigError('--levels: the auto profile needs at least 2 levels (synchronous and saturating)');
    const vus = req.saturationVUs ?? 128;
    const sync = await runOne({ kind: 'concurrency', value: 1, label: 'synchronous' }, total);
    if (!req.signal?.aborted) {
      const sat = await runOne({ kind: 'concurrency', value: vus, label: `saturation (${vus} VUs)` }, total);
      const rates = autoRates(sync.stats.iterationThroughput, sat.stats.iterationThroughput, total);
      if (total > 2 && !rates.length) log('auto profile: no rate levels (no iteration completed in the synchronous or the saturating level)');
      for (const rate of rates) {
        if (req.signal?.aborted) break;
        await runOne({ kind: 'rate', value: rate }, total);
      }
    }
  }

  const meta = { kind: 'sweep' as const, startedAt: startedAt.toISOString(), durationMs: performance.now() - began, slos: req.slos.map((s) => s.source) };
  const report = results.dir ? await writeSweepFiles(results.dir, done, `llmperf sweep — ${req.script}`, meta) : null;
  const table = renderLevelsTable(done, { slo: req.slos.length > 0 });
  return { exitCode: req.signal?.aborted ? ExitCode.INTERRUPTED : ExitCode.OK, levels: done, dir: results.dir, report, table };
}
