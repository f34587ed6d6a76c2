// Reads the Grafana dashboard's PromQL queries (panels and template variables).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers.ts';

export const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'llmperf-dashboard.json');

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

export function dashboardQueries(): Array<{ where: string; expr: string }> {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string; type: string; query?: { query?: string } | string }> } };
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) out.push({ where: `variable $${v.name}`, expr: q });
  }
  return out;
}

/** Grafana's variables replaced the way Grafana would for run `run` and "All" instances/scenarios. */
export function substitute(expr: string, run: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$run', run).replaceAll('$instance', '.*').replaceAll('$scenario', '.*');
}

/** label_values(selector, label) -> the selector (a valid query on its own). */
export function labelValuesSelector(expr: string): string | undefined {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(expr.trim());
  return m ? m[1] : undefined;
}
