/** Small numeric helpers for the benchmark (exact percentiles over arrays, formatting). */

/** Percentile by linear interpolation between closest ranks; NaN for an empty array. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const r = (p / 100) * (s.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return s[lo]! + (s[hi]! - s[lo]!) * (r - lo);
}

export function mean(values: number[]): number {
  if (values.length === 0) return NaN;
  let t = 0;
  for (const v of values) t += v;
  return t / values.length;
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

/** Fixed decimals, or "n/a" for NaN/undefined. */
export function f(v: number | undefined | null, digits = 2): string {
  return v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

/** Thousands separated integer. */
export function int(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a';
}

export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : 'n/a';
}
