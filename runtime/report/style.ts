/** The report's stylesheet (inlined in the page). */
export const STYLE = `
:root { --fg: #1e293b; --muted: #64748b; --line: #e2e8f0; --bg: #ffffff; --card: #f8fafc; --ok: #15803d; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .meta { color: var(--muted); display: flex; flex-wrap: wrap; gap: 4px 18px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.verdict { display: inline-block; margin-top: 10px; padding: 3px 10px; border-radius: 4px; font-weight: 600; color: #fff; }
.verdict.ok { background: var(--ok); } .verdict.bad { background: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .v { font-size: 20px; font-weight: 600; } .card .k { color: var(--muted); font-size: 12px; }
.card .sub { color: var(--muted); font-size: 12px; }
.card.lat { grid-column: span 2; }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 12px 4px 0; text-align: right; border-bottom: 1px solid var(--line); vertical-align: top; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { max-width: 640px; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; }
.ok { color: var(--ok); font-weight: 600; } .bad { color: var(--bad); font-weight: 600; }
.verdict.ok, .verdict.bad { color: #fff; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 14px; }
figure.chart { position: relative; margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 8px 4px; }
figure.chart figcaption { font-weight: 600; margin: 0 0 2px 4px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figure.chart.empty { min-height: 80px; }
.grid { stroke: var(--line); } .axis { stroke: #94a3b8; }
.tick, .legend-text, .point-label { font-size: 10.5px; fill: var(--muted); } .label { font-size: 11px; fill: var(--fg); }
.bound-label { font-size: 10px; fill: var(--bad); }
.cursor { stroke: #94a3b8; stroke-dasharray: 3 3; pointer-events: none; }
.readout { position: absolute; top: 40px; background: rgba(255,255,255,.96); border: 1px solid var(--line); border-radius: 4px; padding: 4px 8px; font-size: 12px; pointer-events: none; white-space: nowrap; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
.readout-x { font-weight: 600; } .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.note { color: var(--muted); font-size: 12px; margin: 4px; }
details { margin: 8px 0; } summary { cursor: pointer; color: var(--muted); }
pre { background: var(--card); border: 1px solid var(--line); padding: 8px; overflow: auto; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.answer { font-size: 15px; margin: 10px 0 0; } .answer.ok { color: var(--ok); } .answer.bad { color: var(--bad); }
details.level { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; margin: 8px 0; }
details.level > summary { font-size: 15px; color: var(--fg); }
h3 { font-size: 15px; margin: 18px 0 8px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;
