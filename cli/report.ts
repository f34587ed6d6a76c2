/**
 * `llmperf report <run-dir>`: rebuilds report.html from a run directory (--open opens it), or, with
 * --requests/--failed/--slowest/--json, queries the stored requests instead (runtime/results/query.ts).
 * Parsing only.
 */
import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import { queryRequests } from '../runtime/results/query.ts';
import { writeReport } from '../runtime/report/index.ts';
import { fail } from './common.ts';

interface ReportArgs {
  'run-dir': string;
  open: boolean;
  out?: string;
  title?: string;
  requests?: string;
  failed?: boolean;
  slowest?: 'ttft' | 'e2e' | 'tpot' | 'ttfb';
  limit?: number;
  json?: boolean;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <run-dir>',
  describe: 'Rebuild the HTML report of a run directory, or query its requests',
  builder: (y: Argv<object>): Argv<ReportArgs> =>
    y
      .positional('run-dir', { type: 'string', demandOption: true, describe: 'the run directory (holds summary.json)' })
      .option('open', { type: 'boolean', default: false, describe: 'open the report in the default browser ($BROWSER, xdg-open, open)' })
      .option('out', { type: 'string', describe: 'write the HTML here instead of <run-dir>/report.html' })
      .option('title', { type: 'string', describe: 'page title (default: llmperf report — <run-dir name>)' })
      .option('requests', { type: 'string', describe: 'query the stored requests (requests.sqlite) instead: one SQL expression, e.g. "ttft > 500 AND status = 200"' })
      .option('failed', { type: 'boolean', describe: 'query: only failed requests' })
      .option('slowest', { choices: ['ttft', 'e2e', 'tpot', 'ttfb'] as const, describe: 'query: the slowest requests first, by this timing' })
      .option('limit', { type: 'number', describe: 'query: at most N rows (default 20; 0 = all)' })
      .option('json', { type: 'boolean', describe: 'query: JSON lines with every column instead of a table' })
      .example('$0 report llmperf-results/quickstart-20260101-100000 --open', 'rebuild report.html and open it')
      .example('$0 report llmperf-results/quickstart-20260101-100000 --slowest ttft --limit 5', 'the 5 requests with the longest time to first token') as unknown as Argv<ReportArgs>,
  handler: async (a) => {
    try {
      const runDir = a['run-dir'];
      const query = a.requests !== undefined || a.failed !== undefined || a.slowest !== undefined || a.json !== undefined;
      if (query) {
        if (a.open || a.out) throw new ConfigError('report: --open/--out build the HTML report; they cannot be combined with --requests, --failed, --slowest or --json');
        const text = await queryRequests(runDir, {
          ...(a.requests !== undefined ? { where: a.requests } : {}),
          ...(a.failed !== undefined ? { failed: a.failed } : {}),
          ...(a.slowest !== undefined ? { slowest: a.slowest } : {}),
          ...(a.limit !== undefined ? { limit: a.limit } : {}),
          ...(a.json !== undefined ? { json: a.json } : {}),
        });
        process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
        return;
      }
      if (a.limit !== undefined) throw new ConfigError('report: --limit applies to a query (--requests, --failed or --slowest)');
      const file = await writeReport(runDir, { ...(a.out ? { out: a.out } : {}), ...(a.title ? { title: a.title } : {}) });
      process.stdout.write(`report: ${file}\n`);
      if (a.open) openInBrowser(file);
    } catch (e) {
      fail(e);
    }
  },
};

/** Opens a file with $BROWSER, else the platform's opener; never waits for it. */
function openInBrowser(file: string): void {
  const env = process.env.BROWSER;
  const [cmd, args] = env ? [env, [file]] : process.platform === 'darwin' ? ['open', [file]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', file]] : ['xdg-open', [file]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', (e) => process.stderr.write(`report: could not open a browser (${cmd}: ${e.message}); open ${file} yourself\n`));
    child.unref();
  } catch (e) {
    process.stderr.write(`report: could not open a browser (${(e as Error).message}); open ${file} yourself\n`);
  }
}
