/** `llmperf sweep <script>`: the script at several load levels; parsing only (runtime/sweep/sweep.ts does the work). */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { parseDuration } from '../runtime/options/duration.ts';
import { readConfigFile } from '../runtime/options/resolve.ts';
import { parseLevelList, type LevelShape } from '../runtime/sweep/levels.ts';
import type { SessionRequest } from '../runtime/sweep/session.ts';
import { parseSlos } from '../runtime/sweep/slo.ts';
import { runSweep } from '../runtime/sweep/sweep.ts';
import { ConfigError } from '../runtime/errors.ts';
import { errorExit } from '../runtime/api.ts';
import { connectionOptions, failGracefully, installSignals, mockOptionsFromArgs, overridesFromArgs, parseKeyValues, sandboxFromArgs, sandboxOptions, type ConnectionArgs, type SandboxArgs } from './common.ts';
import { dashboardFlags, startDashboard, type DashboardArgs } from './dashboard.ts';

/** Flags shared by `sweep` and `capacity`: the target, the script's environment, level shape, results. */
export interface LevelArgs extends ConnectionArgs, SandboxArgs, DashboardArgs {
  script: string;
  env?: string[];
  config?: string;
  mock?: string[];
  slo?: string[];
  'level-duration'?: string;
  warmup?: string;
  'requests-per-level'?: number;
  'max-vus': number;
  'graceful-stop': string;
  'system-env': boolean;
  'isolate-memory': number;
  'vus-per-isolate': number;
  'io-threads'?: number;
  'out-dir'?: string;
  save: boolean;
  'save-levels': boolean;
}

export function levelOptions<T>(y: Argv<T>, defaultDuration: string): Argv<T & LevelArgs> {
  return dashboardFlags(sandboxOptions(connectionOptions(y.positional('script', { type: 'string', describe: 'the test script (.ts or .js): its default function is one iteration', demandOption: true }), 'base URL of the OpenAI-compatible server (default: the built-in mock, started once for all levels)'))
    .option('env', { alias: 'e', type: 'string', array: true, describe: 'script variable KEY=VALUE, read as __ENV.KEY (repeatable)' })
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file of options, layered as for `llmperf run` (its scenarios are replaced by the levels)' })
    .option('mock', { type: 'string', array: true, describe: 'options of the built-in mock target, e.g. --mock ttft=200ms --mock itl=20ms' })
    .option('slo', { type: 'string', array: true, describe: "SLO on a whole level, repeatable: 'p99(llm_ttft)<500', 'avg(llm_tpot)<50', 'rate(llm_req_failed)<0.01' (docs/capacity.md)" })
    .option('level-duration', { type: 'string', describe: `length of each level (default ${defaultDuration})` })
    .option('warmup', { type: 'string', describe: 'run each level this much longer first and leave that part out of its figures and SLOs, e.g. 5s (default 0)' })
    .option('requests-per-level', { type: 'number', describe: 'iterations per level instead of a duration (concurrency: shared among the VUs; rate: cap)' })
    .option('max-vus', { type: 'number', default: 1000, describe: 'most VUs a rate level may use (arrivals beyond them are dropped)' })
    .option('graceful-stop', { type: 'string', default: '30s', describe: 'how long in-flight iterations may finish at the end of a level' })
    .option('system-env', { type: 'boolean', default: true, describe: 'expose the system environment to __ENV (--no-system-env)' })
    .option('isolate-memory', { type: 'number', default: 256, describe: 'heap limit per isolate, MB' })
    .option('vus-per-isolate', { type: 'number', default: 32, describe: 'VU contexts sharing one isolate' })
    .option('io-threads', { type: 'number', describe: 'threads that send the requests and timestamp the responses (default: half the cores, 1 to 8; 0: the main thread). More for many thousands of streams or when a WARN says the I/O thread was busy' })
    .option('out-dir', { type: 'string', describe: 'results folder (default: llmperf-results/<command>-<script>-<YYYYmmdd-HHMMSS>/)' })
    .option('save', { type: 'boolean', default: true, describe: 'write the results folder: sweep.json, report.html (--no-save for none)' })
    .option('save-levels', { type: 'boolean', default: false, describe: 'also keep a full run directory per level (per-request SQLite, timeline) under levels/' })) as unknown as Argv<T & LevelArgs>;
}

/** The session request from the shared flags (target, env, level shape, results), for sweep and capacity. */
export async function sessionFrom(a: LevelArgs, defaultDuration: string, sig: { graceful: AbortController; hard: AbortController }, log: (l: string) => void): Promise<SessionRequest> {
  const mockOpts = mockOptionsFromArgs(a.mock);
  if (a['requests-per-level'] !== undefined && !(Number.isInteger(a['requests-per-level']) && a['requests-per-level'] >= 1)) throw new ConfigError('--requests-per-level must be a whole number >= 1');
  if (!(Number.isInteger(a['max-vus']) && a['max-vus'] >= 1)) throw new ConfigError('--max-vus must be a whole number >= 1');
  const durationMs = parseDuration(a['level-duration'] ?? defaultDuration, '--level-duration');
  if (!(durationMs > 0)) throw new ConfigError('--level-duration must be longer than 0, e.g. 20s');
  const shape: LevelShape = {
    durationMs: a['requests-per-level'] && a['level-duration'] === undefined ? 10 * 60_000 : durationMs,
    ...(a['requests-per-level'] ? { requestsPerLevel: a['requests-per-level'] } : {}),
    ...(a.warmup !== undefined ? { warmupMs: parseDuration(a.warmup, '--warmup') } : {}),
    maxVUs: a['max-vus'],
    gracefulStopMs: parseDuration(a['graceful-stop'], '--graceful-stop'),
  };
  return {
    script: a.script,
    base: {
      ...(a.config ? { config: readConfigFile(a.config) } : {}),
      overrides: overridesFromArgs(a),
      env: parseKeyValues(a.env, '--env'),
      systemEnv: a['system-env'],
      mockOptions: mockOpts,
      isolateMemoryMb: a['isolate-memory'],
      vusPerIsolate: a['vus-per-isolate'],
      ...(a['io-threads'] !== undefined ? { ioThreads: a['io-threads'] } : {}),
      storeBodies: a['save-levels'],
      ...sandboxFromArgs(a),
      log,
    },
    shape,
    slos: parseSlos(a.slo ?? []),
    signal: sig.graceful.signal,
    hardSignal: sig.hard.signal,
    save: a.save,
    ...(a['out-dir'] !== undefined ? { outDir: a['out-dir'] } : {}),
    saveLevels: a['save-levels'],
    log,
  };
}

/** Ends a dashboard (if any) with the command's outcome, and names the exported page. */
export async function finishDashboard(dash: Awaited<ReturnType<typeof startDashboard>>, exitCode: number, message: string | null, log: (l: string) => void, answer: string | null = null): Promise<void> {
  const file = await dash?.finish({ exitCode, message, answer });
  if (file) log(`dashboard: ${path.relative(process.cwd(), file) || file}`);
}

interface SweepArgs extends LevelArgs {
  concurrency?: string;
  rate?: string;
  profile?: 'auto';
  levels: number;
  'saturation-vus': number;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep <script>',
  describe: 'Run a script at several load levels (concurrency or rate) and chart throughput against latency',
  builder: (y) =>
    levelOptions(y, '30s')
      .option('concurrency', { type: 'string', describe: 'closed-loop levels: VUs, e.g. 1,2,4,8,16,32' })
      .option('rate', { type: 'string', describe: 'open-loop levels: Poisson arrivals per second, e.g. 1,2,5,10' })
      .option('profile', { choices: ['auto'] as const, describe: 'auto: a synchronous level, a saturating level, then rates evenly spaced between their throughputs (GuideLLM\'s sweep)' })
      .option('levels', { type: 'number', default: 10, describe: '--profile auto: levels in all, synchronous and saturating included' })
      .option('saturation-vus', { type: 'number', default: 128, describe: '--profile auto: VUs of the saturating level' })
      .example('$0 sweep chat.ts --concurrency 1,2,4,8,16,32 --url http://127.0.0.1:8000/v1', 'closed-loop levels of 30 s each')
      .example("$0 sweep chat.ts --rate 1,2,5,10 --level-duration 1m --slo 'p99(llm_ttft)<500'", 'open-loop levels, with goodput')
      .example('$0 sweep chat.ts --profile auto --levels 8', 'find the range automatically') as unknown as Argv<SweepArgs>,
  handler: async (a) => {
    const log = (l: string) => process.stderr.write(l + '\n');
    const sig = installSignals(log);
    let dash: Awaited<ReturnType<typeof startDashboard>>;
    try {
      const given = [a.concurrency !== undefined, a.rate !== undefined, a.profile !== undefined].filter(Boolean).length;
      if (given > 1) throw new ConfigError('sweep: give one of --concurrency, --rate and --profile');
      const req = await sessionFrom(a, '30s', sig, log);
      dash = await startDashboard(a, 'sweep', `llmperf sweep — ${a.script}`, log);
      const out = await runSweep({
        ...req,
        ...(dash ? { dashboard: dash } : {}),
        ...(a.concurrency !== undefined ? { levels: parseLevelList(a.concurrency, 'concurrency', '--concurrency') } : {}),
        ...(a.rate !== undefined ? { levels: parseLevelList(a.rate, 'rate', '--rate') } : {}),
        ...(a.profile ? { profile: a.profile } : {}),
        autoLevels: a.levels,
        saturationVUs: a['saturation-vus'],
        durationFromFlag: a['level-duration'] !== undefined || a['requests-per-level'] !== undefined,
      });
      process.stdout.write(out.table);
      if (out.dir) log(`results: ${path.relative(process.cwd(), out.dir) || '.'}${out.report ? ` (report: ${path.relative(process.cwd(), out.report)})` : ''}`);
      await finishDashboard(dash, out.exitCode, null, log);
      sig.dispose();
      process.exitCode = out.exitCode;
    } catch (e) {
      await finishDashboard(dash, errorExit(e).exitCode, errorExit(e).message.split('\n')[0]!, log).catch(() => undefined);
      failGracefully(e);
    }
  },
};
