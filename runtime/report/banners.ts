/**
 * The report's banners: what the server's (or a proxy's) responses make untrustworthy, shown above
 * the figures it affects. Stream health (summary.json streamHealth: buffered streams, whole bodies,
 * SSE under another content type) and estimated token counts (llm.tokenSources), each with what to
 * do. Self-contained: its own markup and style; renderReport places it under the header.
 */
import type { SummaryData } from '../summary/data.ts';
import { esc } from './html.ts';

export const BANNER_STYLE = `
.banner { margin: 14px 0 0; padding: 8px 14px; border-radius: 6px; border: 1px solid #f59e0b; background: #fffbeb; }
.banner h2 { margin: 0 0 4px; padding: 0; border: 0; font-size: 15px; }
.banner ul { margin: 4px 0; padding-left: 20px; } .banner li { margin: 2px 0; }
.banner.info { border-color: var(--line); background: var(--card); }
`;

/** The banners of a run: "" when its responses give no reason for doubt. */
export function banners(s: SummaryData): string {
  const out: string[] = [];
  const h = s.streamHealth;
  if (h?.degraded) {
    const items = h.findings.filter((f) => f.startsWith('WARN ')).map((f) => `<li>${esc(f.slice(5))}</li>`);
    const lead = h.excluded
      ? h.excluded === h.requests
        ? `None of the ${h.requests} streamed responses really streamed: there are no TPOT or ITL figures, and TTFT includes the hold-up.`
        : `${h.excluded} of ${h.requests} streamed responses did not really stream: TPOT and ITL below come from the other ${h.requests - h.excluded}.`
      : 'The streams were read, but something between llmperf and the server may hold them back.';
    out.push(`<section id="stream-health" class="banner warn"><h2>Stream health: the figures may describe a proxy, not the server</h2><p>${esc(lead)}</p><ul>${items.join('')}</ul></section>`);
  }
  const t = s.llm?.tokenSources;
  if (t?.estimated) {
    out.push(`<section id="token-counts" class="banner warn"><h2>Token counts are estimated</h2><p>${esc(s.llm.tokenCountSources)}: token throughputs, TPOT and token counts are approximate. ${esc(t.hint ?? '')}</p></section>`);
  }
  return out.join('');
}
