/** `llmperf run <script>` (`-` reads the script from stdin): parsing only; the work is runtime/api.ts's run(). */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { errorExit, run, type RunOptions } from '../runtime/api.ts';
import { withHooks } from '../runtime/dashboard/index.ts';
import { colorEnabled } from '../runtime/outputs/color.ts';
import { readConfigFile } from '../runtime/options/resolve.ts';
import { failGracefully, installSignals, mockOptionsFromArgs, overridesFromArgs, parseKeyValues, sandboxFromArgs, sandboxOptions, targetOptions, type ConnectionArgs, type RunShortcutArgs, type SandboxArgs } from './common.ts';
import { consoleFile as openConsoleFile, crossedLine, isStdinScript, httpDebugMode, readScriptArg, verboseHooks, type K6HabitArgs } from './k6-habits.ts';
import { dashboardFlags, startDashboard, type DashboardArgs } from './dashboard.ts';
import { parseDuration } from '../runtime/options/duration.ts';

export interface RunArgs extends ConnectionArgs, RunShortcutArgs, SandboxArgs, DashboardArgs, K6HabitArgs {
  script: string;
  env?: string[];
  'summary-export'?: string;
  color: boolean;
  quiet: boolean;
  debug: boolean;
  'store-bodies': boolean;
  'system-env': boolean;
  'isolate-memory': number;
  'vus-per-isolate': number;
  'vus-per-context': number;
  'isolate-threads': boolean;
  'io-threads'?: number;
  'init-timeout': string;
  'test-connection': boolean;
  thresholds: boolean;
  'execution-segment'?: string;
  'execution-segment-sequence'?: string;
  'setup-once': boolean;
  'setup-data'?: string;
  mock?: string[];
  config?: string;
  out?: string[];
  'out-dir'?: string;
  save: boolean;
  'log-every-n-query'?: number;
}

export function runBuilder(y: Argv): Argv<RunArgs> {
  return dashboardFlags(sandboxOptions(targetOptions(y)))
    .positional('script', { type: 'string', describe: 'the test script (.ts or .js), or - to read it from stdin', demandOption: true })
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file of options (the shape of `export const options`), layered: defaults < config < script < LLMPERF_* env < flags' })
    .option('env', { alias: 'e', type: 'string', array: true, describe: 'script variable KEY=VALUE, read as __ENV.KEY (repeatable)' })
    .option('summary-export', { type: 'string', describe: 'write the summary JSON to this file' })
    .option('color', { type: 'boolean', default: colorEnabled(process.stdout), describe: 'colours in the summary (default: on a terminal, unless NO_COLOR; FORCE_COLOR forces them; --no-color to disable)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress output' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: "verbose logging: llmperf's DEBUG lines (phases, plan, target) and the script's console.debug (k6's -v)" })
    .option('debug', { type: 'boolean', default: false, describe: 'print each request and response, bodies included (secrets redacted)' })
    .option('http-debug', { type: 'string', describe: "log every request and response: status, timings and headers (secrets redacted); --http-debug=full adds the bodies (k6's --http-debug)" })
    .option('console-output', { type: 'string', describe: "append the script's console output to this file instead of stderr (k6's --console-output)" })
    .option('summary', { type: 'boolean', default: true, describe: "--no-summary: no end-of-test summary, no handleSummary(), no --summary-export (k6's --no-summary); the run directory is still written" })
    .option('store-bodies', { type: 'boolean', default: true, describe: 'keep request bodies and response texts in the results (--no-store-bodies)' })
    .option('system-env', { type: 'boolean', default: true, describe: 'expose the system environment to __ENV (--no-system-env)' })
    .option('isolate-memory', { type: 'number', default: 256, describe: 'heap limit per isolate, MB' })
    .option('vus-per-isolate', { type: 'number', default: 32, describe: 'VU contexts sharing one isolate' })
    .option('vus-per-context', { type: 'number', default: 1, describe: 'VUs sharing one V8 context: saves ~150 KiB per VU for thousands of VUs; they keep their own module state, __VU and __ENV but share globalThis' })
    .option('io-threads', { type: 'number', describe: 'threads that send the requests and timestamp the responses (default: half the cores, 1 to 8; 0: the main thread). More for many thousands of streams or when a WARN says the I/O thread was busy' })
    .option('isolate-threads', { type: 'boolean', default: false, describe: 'run VU code on its isolates\' own threads instead of inline on the main thread (for CPU-heavy scripts on machines with cores to spare; inline measures more exactly)' })
    .option('test-connection', { type: 'boolean', default: true, describe: 'check that the target answers before starting (--no-test-connection to skip)' })
    .option('thresholds', { type: 'boolean', default: true, describe: "evaluate thresholds (--no-thresholds: none, not even llmperf's default that fails a run in which every request failed), as k6's --no-thresholds" })
    .option('init-timeout', { type: 'string', default: '60s', describe: 'max time for the script\'s init code in one VU' })
    .option('execution-segment', { type: 'string', describe: 'run only this share of the test, k6 syntax: 1/4:2/4 or 25%:50%' })
    .option('execution-segment-sequence', { type: 'string', describe: 'all segments of a distributed run, e.g. 0,1/4,2/4,3/4,1 (give the same to every instance)' })
    .option('setup-once', { type: 'boolean', default: false, describe: 'run setup() only in the segment starting at 0; others read its data from --setup-data' })
    .option('setup-data', { type: 'string', describe: 'file for setup() data: written by the first segment with --setup-once, else read instead of running setup()' })
    .option('mock', { type: 'string', array: true, describe: 'options for the built-in mock target, e.g. --mock ttft=200ms --mock itl=20ms --mock output-tokens=128' })
    .option('out', { alias: 'o', type: 'string', array: true, describe: 'stream metric samples: json=points.jsonl, csv=points.csv (repeatable)' })
    .option('out-dir', { type: 'string', describe: 'run directory to write (default: llmperf-results/<name>-<YYYYmmdd-HHMMSS>/)' })
    .option('save', { type: 'boolean', default: true, describe: 'keep a run directory: summary, per-request SQLite, report (--no-save for none)' })
    .option('log-every-n-query', { type: 'number', describe: 'when stderr is not a terminal: a progress line every N requests (default: every 10s)' })
    .example('$0 run scripts-examples/quickstart.ts', 'benchmark the built-in mock server')
    .example('$0 run chat.ts --url http://127.0.0.1:8000/v1 --model qwen2.5-7b -e PROMPT_SET=short', 'benchmark a vLLM server')
    .example('$0 run chat.ts --vus 10 --duration 1m', 'override the scenarios: 10 looping VUs for a minute')
    .example('$0 run chat.ts --config staging.json', 'options from a JSON file (the script\'s own options win over it)') as unknown as Argv<RunArgs>;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <script>',
  describe: 'Run a test script (TypeScript or JavaScript) against an LLM endpoint',
  builder: runBuilder,
  handler: async (a) => {
    const log = (l: string) => process.stderr.write(l + '\n');
    const sig = installSignals(log);
    let dash: Awaited<ReturnType<typeof startDashboard>>;
    let consoleFile: ReturnType<typeof openConsoleFile>;
    try {
      const mockOpts = mockOptionsFromArgs(a.mock);
      const script = await readScriptArg(a.script);
      const debug = httpDebugMode(a);
      consoleFile = openConsoleFile(a);
      dash = await startDashboard(a, 'run', `llmperf run — ${isStdinScript(a.script) ? 'stdin' : a.script}`, log);
      const opts: RunOptions = {
        script,
        ...(a.config ? { config: readConfigFile(a.config) } : {}),
        overrides: overridesFromArgs(a),
        env: parseKeyValues(a.env, '--env'),
        systemEnv: a['system-env'],
        signal: sig.graceful.signal,
        hardSignal: sig.hard.signal,
        log,
        color: a.color,
        storeBodies: a['store-bodies'],
        ...(debug ? { debug } : {}),
        ...(consoleFile ? { consoleLog: consoleFile.write } : {}),
        consoleDebug: !!a.verbose,
        ...(a.summary === false ? { noSummary: true } : {}),
        isolateMemoryMb: a['isolate-memory'],
        vusPerIsolate: a['vus-per-isolate'],
        vusPerContext: a['vus-per-context'],
        isolateThreads: a['isolate-threads'],
        ...(a['io-threads'] !== undefined ? { ioThreads: a['io-threads'] } : {}),
        initTimeoutMs: parseDuration(a['init-timeout'], '--init-timeout'),
        ...sandboxFromArgs(a),
        testConnection: a['test-connection'],
        noThresholds: !a.thresholds,
        ...(a['execution-segment'] ? { segment: { segment: a['execution-segment'], ...(a['execution-segment-sequence'] ? { sequence: a['execution-segment-sequence'] } : {}) } } : {}),
        setupOnce: a['setup-once'],
        ...(a['setup-data'] ? { setupDataFile: a['setup-data'] } : {}),
        mockOptions: mockOpts,
        ...(a['summary-export'] ? { summaryExport: a['summary-export'] } : {}),
        save: a.save,
        ...(a['out-dir'] !== undefined ? { outDir: a['out-dir'] } : {}),
        outputs: a.out ?? [],
        progress: a.quiet ? false : { ...(a['log-every-n-query'] ? { everyNRequests: a['log-every-n-query'] } : {}) },
        argv: process.argv.slice(2),
      };
      const out = await run(withHooks(a.verbose ? verboseHooks(opts, log) : opts, dash?.hooks()));
      if (out.stdout) process.stdout.write(out.stdout);
      if (out.stderr) process.stderr.write(out.stderr);
      if (out.runDir) process.stderr.write(`results: ${path.relative(process.cwd(), out.runDir) || '.'}\n`);
      // k6's closing line when thresholds failed
      const crossed = crossedLine(out.summary);
      if (crossed) log(`ERROR ${crossed}`);
      const exported = await dash?.finish({ exitCode: out.exitCode, message: crossed });
      if (exported) log(`dashboard: ${path.relative(process.cwd(), exported) || exported}`);
      consoleFile?.close();
      sig.dispose();
      process.exitCode = out.exitCode;
    } catch (e) {
      await dash?.finish({ exitCode: errorExit(e).exitCode, message: errorExit(e).message.split('\n')[0]! }).catch(() => undefined);
      consoleFile?.close();
      failGracefully(e);
    }
  },
};
