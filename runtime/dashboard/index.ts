/**
 * The live web dashboard (`--dashboard` on run, perf, sweep and capacity), k6's web dashboard for
 * llmperf: a page on 127.0.0.1 with live charts fed by server-sent events, the levels of a sweep
 * or capacity search as they complete, and the run's summary figures at the end.
 *
 *   const dash = await Dashboard.start({ kind: 'run', title, port: 5665, open: true, log });
 *   await run({ ...opts, ...mergeHooks(opts, dash.hooks()) });  // one engine run
 *   dash.level(levelView)                                          // sweep/capacity: a finished level
 *   await dash.finish({ exitCode })                                // final event, export, close
 *
 * model.ts: the state and events; feed.ts: from a run to events; server.ts: HTTP and SSE;
 * page.ts + page/dashboard.js: the page. With `serve: false` (only --dashboard-export) no server
 * starts: the state is collected and the exported page written at the end.
 */
import { mkdirSync } from 'node:fs';
import type { RunOptions } from '../api.ts';
import type { RunResult, RunStartInfo, RunTick } from '../engine/run.ts';
import type { SummaryData } from '../summary/data.ts';
import path from 'node:path';
import { writeFileAtomic } from '../results/run-dir.ts';
import { ConfigError } from '../errors.ts';
import { RunFeed, type RunHooks } from './feed.ts';
import { applyEvent, emptyState, type DashEvent, type DashKind, type DashLevel, type DashState } from './model.ts';
import { renderDashboardPage } from './page.ts';
import { DashboardServer } from './server.ts';

export type { DashLevel, DashState, DashKind } from './model.ts';
export type { RunHooks } from './feed.ts';

/** The run() options the dashboard chains its hooks into. */
export type HookFields = Pick<RunOptions, 'listeners' | 'onStart' | 'onTick' | 'onResult'>;

/** k6's web dashboard port. */
export const DEFAULT_DASHBOARD_PORT = 5665;
/** percentiles over time cover the requests that ended in this window */
export const DEFAULT_WINDOW_MS = 10_000;

export interface DashboardOptions {
  kind: DashKind;
  title: string;
  /** start the HTTP server (default true) */
  serve?: boolean;
  /** default 5665; 0: any free port */
  port?: number;
  /** open the page in a browser once it is served */
  open?: boolean;
  /** write the final page (with its data) here at the end */
  exportFile?: string;
  windowMs?: number;
  log(line: string): void;
  /** how to open a URL (default: $BROWSER, xdg-open, open, start) */
  opener?: (url: string) => void;
}

export class Dashboard {
  private state: DashState;
  private readonly t0 = performance.now();
  private runs = 0;
  private finished = false;

  private constructor(
    private readonly o: DashboardOptions,
    private server: DashboardServer | undefined,
  ) {
    this.state = emptyState(o.kind, o.title, o.windowMs ?? DEFAULT_WINDOW_MS);
  }

  static async start(o: DashboardOptions): Promise<Dashboard> {
    if (o.exportFile !== undefined && o.exportFile.trim() === '') throw new ConfigError('--dashboard-export: give a file name, e.g. --dashboard-export dashboard.html');
    const d = new Dashboard(o, undefined);
    if (o.serve !== false) {
      d.server = await DashboardServer.start({ port: o.port ?? DEFAULT_DASHBOARD_PORT, page: () => renderDashboardPage({ title: o.title }), state: () => d.state });
      o.log(`dashboard: ${d.server.url} (live while llmperf runs; served on this machine only)`);
      if (o.open) (o.opener ?? openUrl)(d.server.url);
    }
    return d;
  }

  /** The page's URL (undefined when not served). */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** A copy of the current state. */
  snapshot(): DashState {
    return structuredClone(this.state);
  }

  /** The hooks of the next engine run (runtime/api.ts run()); `label` names a level or a run of several. */
  hooks(label = ''): RunHooks {
    const feed = new RunFeed(this.runs++, label, this.state.windowMs, () => (performance.now() - this.t0) / 1000, (ev) => this.emit(ev));
    return feed.hooks();
  }

  /** A finished level of a sweep or capacity search (or a run of a multi-run perf). */
  level(l: Omit<DashLevel, 'run'> & { run?: number }): void {
    this.emit({ type: 'level', level: { ...l, run: l.run ?? this.runs - 1 } });
  }

  /** Sends the final event, writes the export, stops the server. Returns the exported file, if any. */
  async finish(end: { exitCode: number; answer?: string | null; message?: string | null }): Promise<string | undefined> {
    if (this.finished) return undefined;
    this.finished = true;
    this.emit({ type: 'end', endedAt: new Date().toISOString(), exitCode: end.exitCode, answer: end.answer ?? null, message: end.message ?? null });
    let file: string | undefined;
    try {
      if (this.o.exportFile) {
        file = path.resolve(this.o.exportFile);
        try {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileAtomic(file, renderDashboardPage({ title: this.o.title, state: this.state }));
        } catch (e) {
          this.o.log(`WARN --dashboard-export ${this.o.exportFile}: could not write it (${(e as Error).message})`);
          file = undefined;
        }
      }
    } finally {
      await this.server?.close();
    }
    return file;
  }

  private emit(ev: DashEvent): void {
    if (this.finished && ev.type !== 'end') return;
    this.state = applyEvent(this.state, ev);
    this.server?.broadcast(ev);
  }
}

/**
 * run() options with the dashboard's hooks chained after the caller's own (listeners, onStart,
 * onTick, onResult), so that neither replaces the other.
 */
export function withHooks<T extends HookFields>(opts: T, h: RunHooks | undefined): T {
  if (!h) return opts;
  return {
    ...opts,
    listeners: [...(opts.listeners ?? []), ...h.listeners],
    onStart: async (i: RunStartInfo) => {
      await opts.onStart?.(i);
      h.onStart(i);
    },
    onTick: (t: RunTick) => {
      opts.onTick?.(t);
      h.onTick(t);
    },
    onResult: async (r: RunResult, s: SummaryData) => {
      await opts.onResult?.(r, s);
      h.onResult(r, s);
    },
  };
}

/** A finished run of a multi-run without SLOs (`perf --parallel 1 4 8`), as a dashboard level, from its summary. */
export function summaryLevel(label: string, kind: DashLevel['kind'], value: number | null, s: SummaryData): Omit<DashLevel, 'run'> {
  const p = (m: string) => ({ p50: s.llm.percentiles[m]?.['p(50)'] ?? null, p99: s.llm.percentiles[m]?.['p(99)'] ?? null });
  return {
    label,
    kind,
    value,
    requestThroughput: s.llm.requestThroughput,
    outputTokenThroughput: s.llm.outputTokenThroughput,
    successRate: s.llm.successRate,
    goodput: s.llm.goodput,
    ttft: p('llm_ttft'),
    tpot: p('llm_tpot'),
    e2e: p('llm_e2e'),
    ok: null,
    failReason: null,
    slo: [],
  };
}

/** Opens a URL or file with $BROWSER, else the platform's opener; never waits for it. */
export function openUrl(url: string, log: (l: string) => void = (l) => process.stderr.write(l + '\n')): void {
  void import('node:child_process').then(({ spawn }) => {
    const env = process.env.BROWSER;
    const [cmd, args] = env ? [env, [url]] : process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
    try {
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
      child.on('error', (e) => log(`could not open a browser (${cmd}: ${e.message}); open ${url} yourself`));
      child.unref();
    } catch (e) {
      log(`could not open a browser (${(e as Error).message}); open ${url} yourself`);
    }
  });
}
