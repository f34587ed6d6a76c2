/** The benchmark's result rows and their markdown rendering (returns strings; run.ts prints). */

export interface Row {
  scenario: string;
  measure: string;
  llmperf: string;
  baseline: string;
  /** the figure compared with the target (a ratio, a difference or an absolute value) */
  result: string;
  target: string;
  /** null: reported, no target */
  pass: boolean | null;
}

export interface Report {
  title: string;
  /** "key: value" lines above the table */
  header: Array<[string, string]>;
  rows: Row[];
  /** free text per scenario, rendered below the table */
  notes: Array<[string, string]>;
  /** extra markdown sections (profiles) */
  appendix: string[];
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function status(pass: boolean | null): string {
  return pass === null ? 'info' : pass ? 'PASS' : 'FAIL';
}

export function renderTable(rows: Row[]): string {
  const out = ['| Scenario | Measure | llmperf | baseline | Result | Target | Status |', '|---|---|---:|---:|---:|---|---|'];
  for (const r of rows) {
    out.push(`| ${[r.scenario, r.measure, r.llmperf, r.baseline, r.result, r.target, status(r.pass)].map(cell).join(' | ')} |`);
  }
  return out.join('\n');
}

export function renderReport(r: Report): string {
  const passed = r.rows.filter((x) => x.pass === true).length;
  const failed = r.rows.filter((x) => x.pass === false).length;
  const lines = [`# ${r.title}`, ''];
  for (const [k, v] of r.header) lines.push(`- ${k}: ${v}`);
  lines.push(`- targets: ${passed} passed, ${failed} failed`, '', renderTable(r.rows), '');
  if (r.notes.length) {
    lines.push('## Notes', '');
    for (const [k, v] of r.notes) lines.push(`- **${k}**: ${v}`);
    lines.push('');
  }
  for (const a of r.appendix) lines.push(a, '');
  return lines.join('\n');
}
