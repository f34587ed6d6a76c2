/**
 * Escaping and number formatting for the report. Every string that reaches the HTML goes through
 * esc() (text and attribute values alike) or jsonForScript() (inside <script>): model output,
 * names from the script, messages from the server — none of it is trusted.
 */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => ESC[c]!);
}

/** JSON safe to place between <script type="application/json"> tags. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Up to 3 significant digits, no exponent, thousands grouped: 0.0123, 1.23, 12.3, 123, 1,234. */
export function fmtNum(v: number | null | undefined, maxFrac = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return trim(v.toFixed(Math.min(maxFrac, 1)));
  if (a >= 10) return trim(v.toFixed(Math.min(maxFrac, 2)));
  if (a >= 1) return trim(v.toFixed(Math.max(maxFrac, 2)));
  return trim(v.toPrecision(3));
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A duration in ms as the summary shows it: 850ms, 1.25s, 2m3s. */
export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (Math.abs(ms) < 1) return `${fmtNum(ms * 1000)}µs`;
  if (Math.abs(ms) < 1000) return `${fmtNum(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${fmtNum(s)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m}m${rest ? `${rest}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
}

export function fmtPct(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return '–';
  const p = f * 100;
  return `${p === 100 || p === 0 ? p.toFixed(0) : p >= 99.9 ? p.toFixed(3) : p.toFixed(2)}%`;
}

/** Short tick labels: 1.5k, 20k, 3M. */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim((v / 1e6).toFixed(1))}M`;
  if (a >= 1e4) return `${trim((v / 1e3).toFixed(1))}k`;
  if (a === 0) return '0';
  if (a < 0.01) return v.toExponential(0);
  return trim(v.toPrecision(3).includes('e') ? v.toFixed(0) : String(Number(v.toPrecision(3))));
}
