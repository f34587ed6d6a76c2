/**
 * `llmperf merge <run-dir>... --out <dir>`: combines the run directories of a distributed test
 * (one per instance / execution segment) into one, exactly:
 *  - metrics: HDR histograms added, counters summed, rates add passes and totals, gauges keep the
 *    latest value and the extremes (metrics.hdr of each instance, runtime/metrics Registry.merge);
 *  - duration: from the earliest instance start to the latest end (counter rates use it);
 *  - requests.sqlite: every instance's rows, with an `instance` column naming the source directory;
 *  - thresholds: re-evaluated on the merged metrics, from the script options in summary.json
 *    (exit 99 when one fails, so CI can gate a distributed run);
 *  - summary.json, metrics.hdr, run.json and report.html for the whole.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { ExitCode, type ExitCodeValue } from '../exit-codes.ts';
import { planScenario } from '../executors/index.ts';
import { initHistograms } from '../metrics/hdr.ts';
import { Registry, type EncodedRegistry } from '../metrics/registry.ts';
import { resolveOptions, type ScriptOptions } from '../options/resolve.ts';
import { buildSummary, VERSION, type SummaryData, type SummaryInput } from '../summary/data.ts';
import { factsFromSummary, mergeFacts, type ResponseFacts } from '../summary/provenance.ts';
import { compileThresholds, ThresholdEvaluator } from '../thresholds/index.ts';
import { REQUEST_COLUMN_NAMES } from './columns.ts';
import { createRunDir, RUN_FILES, writeJson, writeFileAtomic } from './run-dir.ts';
import { STORE_SCHEMA } from './store.ts';

export interface MergeResult {
  exitCode: ExitCodeValue;
  outDir: string;
  summary: SummaryData;
  instances: string[];
  rows: number;
}

interface Instance {
  dir: string;
  name: string;
  summary: SummaryData;
  metrics: EncodedRegistry;
}

function readJson<T>(file: string, what: string): T {
  if (!existsSync(file)) throw new ConfigError(`${what}: ${file} is missing (is this an llmperf run directory?)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new ConfigError(`${what}: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function loadInstance(dir: string): Instance {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) throw new ConfigError(`run directory not found: ${dir}`);
  return {
    dir: abs,
    name: path.basename(abs),
    summary: readJson<SummaryData>(path.join(abs, RUN_FILES.summary), 'merge'),
    metrics: readJson<EncodedRegistry>(path.join(abs, RUN_FILES.metrics), 'merge'),
  };
}

/** Unique instance names even when directories share a base name (…/0, …/1 or a/run, b/run). */
function instanceNames(dirs: string[]): string[] {
  const bases = dirs.map((d) => path.basename(d));
  return new Set(bases).size === bases.length ? bases : dirs.map((d) => path.relative(process.cwd(), d) || d);
}

export async function mergeRuns(dirs: string[], opts: { outDir: string; report?: boolean }): Promise<MergeResult> {
  if (dirs.length === 0) throw new ConfigError('merge: give at least one run directory');
  await initHistograms();
  const inst = dirs.map(loadInstance);
  const names = instanceNames(inst.map((i) => i.dir));
  inst.forEach((i, k) => (i.name = names[k]!));

  const registry = new Registry();
  for (const i of inst) registry.merge(i.metrics);

  const starts = inst.map((i) => Date.parse(i.summary.state.startedAt));
  const ends = inst.map((i, k) => starts[k]! + i.summary.state.testRunDurationMs);
  const startedAt = new Date(Math.min(...starts));
  const durationMs = Math.max(...ends) - startedAt.getTime();

  const first = inst[0]!.summary;
  const scriptOptions = (first.options ?? {}) as ScriptOptions;
  // The stored options are the script's (secrets redacted); resolving them again gives the trend
  // stats, SLOs and thresholds the instances used. The target stays as recorded.
  const { llm: _llm, ...rest } = scriptOptions;
  void _llm;
  const options = resolveOptions(rest as ScriptOptions, {}, { url: first.target.url, model: first.target.model, api: first.target.api });
  const evaluator = new ThresholdEvaluator(compileThresholds(options.thresholds, registry));
  evaluator.evaluate(durationMs);

  const sum = (f: (s: SummaryData) => number) => inst.reduce((a, i) => a + f(i.summary), 0);
  const checks = new Map<string, { passes: number; fails: number }>();
  const errorCounts: Record<string, number> = {};
  const errorSamples: Record<string, string> = {};
  const scriptErrors = new Map<string, { position: string; message: string; examples: string[]; count: number; kind: string }>();
  for (const i of inst) {
    for (const c of i.summary.root_group.checks) {
      const e = checks.get(c.name) ?? { passes: 0, fails: 0 };
      e.passes += c.passes;
      e.fails += c.fails;
      checks.set(c.name, e);
    }
    for (const [code, n] of Object.entries(i.summary.llm.errors)) errorCounts[code] = (errorCounts[code] ?? 0) + n;
    Object.assign(errorSamples, i.summary.llm.errorSamples);
    for (const e of i.summary.scriptErrors) {
      const k = e.position;
      const cur = scriptErrors.get(k) ?? { ...e, examples: [], count: 0, kind: 'exception' };
      for (const x of e.examples ?? [e.message]) if (cur.examples.length < 3 && !cur.examples.includes(x)) cur.examples.push(x);
      cur.count += e.count;
      scriptErrors.set(k, cur);
    }
  }
  // token provenance, stream health and reasoning: summed when every instance recorded them
  const facts = inst.map((i) => factsFromSummary(i.summary));
  const responses = facts.every((f) => f !== null) ? (facts as ResponseFacts[]).reduce(mergeFacts) : undefined;
  const stopped = inst.find((i) => i.summary.state.stopReason !== 'completed')?.summary.state;
  const input: SummaryInput = {
    durationMs,
    options,
    scriptOptions,
    evaluator,
    registry,
    checks,
    scriptErrors: [...scriptErrors.values()],
    plans: options.scenarios.map((scenario) => ({ scenario, plan: planScenario(scenario) })),
    startedAt,
    stopReason: (stopped?.stopReason ?? 'completed') as SummaryInput['stopReason'],
    ...(stopped?.abortMessage ? { abortMessage: stopped.abortMessage } : {}),
    targetUrl: first.target.url,
    embeddedMock: inst.every((i) => i.summary.target.embeddedMock),
    peakInflight: sum((s) => s.llm.peakConcurrency),
    errorCounts,
    errorSamples,
    iterations: sum((s) => s.iterations.completed),
    interruptedIterations: sum((s) => s.iterations.interrupted),
    droppedIterations: sum((s) => s.iterations.dropped),
    vusMax: sum((s) => s.vusMax),
    ...(responses ? { responses } : {}),
  };
  const summary = buildSummary(input);
  const merged = { ...summary, merged: { instances: inst.map((i) => ({ name: i.name, dir: i.dir, startedAt: i.summary.state.startedAt, durationMs: i.summary.state.testRunDurationMs, requests: i.summary.llm.requests })) } };

  const outDir = createRunDir({ outDir: opts.outDir, name: 'merged' });
  writeJson(path.join(outDir, RUN_FILES.summary), merged);
  writeFileAtomic(path.join(outDir, RUN_FILES.metrics), JSON.stringify(registry.encode()) + '\n');
  writeJson(path.join(outDir, RUN_FILES.run), { command: 'merge', instances: inst.map((i) => i.dir), llmperf: VERSION, node: process.version });
  const rows = mergeStores(inst, path.join(outDir, RUN_FILES.requests));
  registry.free();
  if (opts.report !== false) {
    try {
      const { writeReport } = await import('../report/index.ts');
      await writeReport(outDir);
    } catch (e) {
      process.stderr.write(`warning: report.html not written: ${(e as Error).message}\n`);
    }
  }
  const exitCode: ExitCodeValue = evaluator.anyFailed() ? ExitCode.THRESHOLDS_FAILED : ExitCode.OK;
  return { exitCode, outDir, summary, instances: inst.map((i) => i.name), rows };
}

/**
 * Concatenates the instances' requests.sqlite into one: the schema this version writes (store.ts,
 * the requests columns from columns.ts) plus an `instance` column in requests and runs.
 */
function mergeStores(inst: Instance[], target: string): number {
  const sources = inst.filter((i) => existsSync(path.join(i.dir, RUN_FILES.requests)));
  if (sources.length === 0) return 0;
  const db = new Database(target);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(STORE_SCHEMA);
    db.exec('ALTER TABLE requests ADD COLUMN instance TEXT');
    db.exec('ALTER TABLE runs ADD COLUMN instance TEXT');
    const cols = REQUEST_COLUMN_NAMES.join(', ');
    let rows = 0;
    for (const i of sources) {
      const file = path.join(i.dir, RUN_FILES.requests);
      db.prepare('ATTACH DATABASE ? AS src').run(file);
      try {
        const srcCols = new Set((db.prepare("SELECT name FROM pragma_table_info('requests', 'src')").all() as Array<{ name: string }>).map((c) => c.name));
        const missing = REQUEST_COLUMN_NAMES.filter((c) => !srcCols.has(c));
        if (missing.length) throw new ConfigError(`merge: ${file} has no column ${missing.join(', ')} in its requests table: merge run directories written by the same llmperf version`);
        const runCols = (db.prepare("SELECT name FROM pragma_table_info('runs', 'src')").all() as Array<{ name: string }>).map((c) => `"${c.name}"`).join(', ');
        const hasVersion = db.prepare("SELECT 1 FROM src.sqlite_master WHERE type = 'table' AND name = 'schema_version'").get() !== undefined;
        db.transaction(() => {
          rows += db.prepare(`INSERT INTO main.requests (${cols}, instance) SELECT ${cols}, ? FROM src.requests`).run(i.name).changes;
          db.prepare(`INSERT OR IGNORE INTO main.runs (${runCols}, instance) SELECT ${runCols}, ? FROM src.runs`).run(i.name);
          if (hasVersion && (db.prepare('SELECT COUNT(*) AS n FROM main.schema_version').get() as { n: number }).n === 0) {
            db.exec('INSERT INTO main.schema_version SELECT * FROM src.schema_version');
          }
        })();
      } finally {
        db.prepare('DETACH DATABASE src').run();
      }
    }
    return rows;
  } finally {
    db.close();
  }
}
