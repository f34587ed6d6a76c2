/**
 * The dashboard page: one self-contained HTML document (inline CSS, one inline script allowed by
 * its hash, SVG drawn by that script). Nothing is loaded from the network, so it works on an
 * air-gapped machine. Two forms:
 *  - live (served at GET /): the script opens /events (same origin; the CSP allows only that);
 *  - exported (--dashboard-export): the final state is embedded as JSON and no stream is opened,
 *    so the file opens anywhere, from disk, for good.
 * Pure: returns the string. The script's source is page/dashboard.js (embedded in dist by
 * build.mjs as __LLMPERF_DASHBOARD_JS__; read from the source tree when running from source).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { esc, jsonForScript } from '../report/html.ts';
import { applyEvent, type DashState } from './model.ts';

declare const __LLMPERF_DASHBOARD_JS__: string | undefined;

let script: string | undefined;

const APPLY_EVENT = '/*APPLY_EVENT*/ null';

/**
 * The page script: page/dashboard.js with model.ts's applyEvent put in (its compiled source: the
 * function uses nothing but its arguments), so the page and the server apply events by one rule.
 */
export function dashboardScript(): string {
  if (script === undefined) {
    const src = typeof __LLMPERF_DASHBOARD_JS__ === 'string' ? __LLMPERF_DASHBOARD_JS__ : readFileSync(new URL('./page/dashboard.js', import.meta.url), 'utf8');
    if (!src.includes(APPLY_EVENT)) throw new Error('page/dashboard.js has no applyEvent placeholder');
    script = src.replace(APPLY_EVENT, `(${applyEvent.toString()})`);
  }
  return script;
}

const STYLE = `
:root { --fg: #1e293b; --muted: #64748b; --line: #e2e8f0; --bg: #ffffff; --card: #f8fafc; --ok: #15803d; --bad: #b91c1c; --live: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 21px; }
header .meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; }
.status { display: inline-block; margin-top: 8px; padding: 3px 10px; border-radius: 4px; font-weight: 600; color: #fff; }
.status.live { background: var(--live); } .status.ok { background: var(--ok); } .status.bad { background: var(--bad); }
.status.ok, .status.bad, .status.live { color: #fff; }
.answer { font-weight: 600; font-size: 15px; margin: 8px 0 0; }
h2 { font-size: 16px; margin: 24px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin-top: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .v { font-size: 20px; font-weight: 600; } .card .k, .card .sub { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px 4px 0; text-align: right; border-bottom: 1px solid var(--line); vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
td.text { max-width: 560px; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.note { color: var(--muted); font-size: 12px; margin: 4px; }
.bar { display: inline-block; width: 120px; height: 8px; background: var(--line); border-radius: 4px; vertical-align: middle; overflow: hidden; }
.bar .fill { height: 100%; background: var(--live); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; margin-top: 14px; }
figure.chart { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 8px 4px; }
figure.chart figcaption { font-weight: 600; margin: 0 0 2px 4px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart.empty { min-height: 80px; }
.grid { stroke: var(--line); } .axis { stroke: #94a3b8; } .mark { stroke: #94a3b8; stroke-dasharray: 2 3; } .bound { stroke: var(--bad); stroke-dasharray: 6 3; }
.tick, .legend-text, .mark-label { font-size: 10.5px; fill: var(--muted); } .label { font-size: 11px; fill: var(--fg); }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
`;

export interface PageInput {
  title: string;
  /** exported page: the final state to embed (no stream is opened) */
  state?: DashState;
}

export function renderDashboardPage(input: PageInput): string {
  const js = dashboardScript();
  const hash = createHash('sha256').update(js).digest('base64');
  const live = !input.state;
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; ${live ? "connect-src 'self'; " : ''}img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header id="head"><h1>${esc(input.title)}</h1><p class="note">${live ? 'connecting to the run…' : ''}</p></header>
<div id="tiles"></div>
<section id="levels" hidden></section>
<section id="thresholds"></section>
<div id="charts"></div>
<section id="scenarios"></section>
<section id="final" hidden></section>
<noscript><p>The dashboard draws its charts with JavaScript: allow this page's script.</p></noscript>
<footer>llmperf dashboard${live ? ': live from the run on this machine (127.0.0.1); nothing is loaded from elsewhere' : ': exported at the end of the run (--dashboard-export)'}. Percentiles over time are over the requests that ended in a sliding window; the results table is the run's summary.json.</footer>
${input.state ? `<script type="application/json" id="llmperf-dashboard-state">${jsonForScript(input.state)}</script>\n` : ''}<script>${js}</script>
</body>
</html>
`;
}
