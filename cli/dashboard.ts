/**
 * The live dashboard's flags, shared by `run`, `perf`, `sweep` and `capacity` (runtime/dashboard).
 * As k6's web dashboard, each can also come from the environment: LLMPERF_WEB_DASHBOARD=true,
 * LLMPERF_WEB_DASHBOARD_PORT, LLMPERF_WEB_DASHBOARD_OPEN=true, LLMPERF_WEB_DASHBOARD_EXPORT=file
 * (k6: K6_WEB_DASHBOARD, ..._PORT, ..._OPEN, ..._EXPORT); a flag wins over its variable.
 */
import type { Argv } from 'yargs';
import { ConfigError } from '../runtime/errors.ts';
import { Dashboard, DEFAULT_DASHBOARD_PORT, type DashKind } from '../runtime/dashboard/index.ts';

export interface DashboardArgs {
  dashboard?: boolean;
  'dashboard-port'?: number;
  'dashboard-open'?: boolean;
  'dashboard-export'?: string;
}

const GROUP = 'Live dashboard:';

export function dashboardFlags<T>(y: Argv<T>): Argv<T & DashboardArgs> {
  return y
    .option('dashboard', { type: 'boolean', describe: 'serve a live dashboard on http://127.0.0.1:5665 while it runs (charts over server-sent events; no network access needed)', group: GROUP })
    .option('dashboard-port', { type: 'number', describe: `port of the dashboard on 127.0.0.1 (default ${DEFAULT_DASHBOARD_PORT}, as k6; 0: any free port)`, group: GROUP })
    .option('dashboard-open', { type: 'boolean', describe: 'open the dashboard in a browser (implies --dashboard)', group: GROUP })
    .option('dashboard-export', { type: 'string', describe: 'write the final dashboard, with its data, to this HTML file at the end (works without --dashboard)', group: GROUP }) as unknown as Argv<T & DashboardArgs>;
}

function envBool(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^(1|true|yes)$/i.test(v.trim())) return true;
  if (/^(0|false|no)$/i.test(v.trim())) return false;
  throw new ConfigError(`${name}=${JSON.stringify(v)}: must be true or false`);
}

/** Starts the dashboard the flags (or LLMPERF_WEB_DASHBOARD*) ask for; undefined when none. */
export async function startDashboard(a: DashboardArgs, kind: DashKind, title: string, log: (l: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<Dashboard | undefined> {
  const open = a['dashboard-open'] ?? envBool(env.LLMPERF_WEB_DASHBOARD_OPEN, 'LLMPERF_WEB_DASHBOARD_OPEN') ?? false;
  const serve = (a.dashboard ?? envBool(env.LLMPERF_WEB_DASHBOARD, 'LLMPERF_WEB_DASHBOARD') ?? false) || open;
  const exportFile = a['dashboard-export'] ?? (env.LLMPERF_WEB_DASHBOARD_EXPORT || undefined);
  if (!serve && exportFile === undefined) return undefined;
  let port = a['dashboard-port'];
  if (port === undefined && env.LLMPERF_WEB_DASHBOARD_PORT) port = Number(env.LLMPERF_WEB_DASHBOARD_PORT);
  port ??= DEFAULT_DASHBOARD_PORT;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new ConfigError(`--dashboard-port ${String(port)}: give a port number from 0 (any free port) to 65535`);
  return Dashboard.start({ kind, title, serve, port, open, ...(exportFile !== undefined ? { exportFile } : {}), log });
}
