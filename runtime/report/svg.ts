/**
 * Charts drawn as inline SVG on the host, so the report is one file that needs no script to show
 * its data (a small script adds hover read-outs to the time series, see client.ts). Every chart is
 * a <figure class="chart" data-chart=… data-points=N> holding one <svg>; N counts the finite data
 * points drawn, the browser test checks it.
 */
import type { DisplayBin } from './loghist.ts';
import { esc, fmtNum, fmtTick, jsonForScript } from './html.ts';

export const PALETTE = ['#2563eb', '#ea580c', '#16a34a', '#dc2626', '#7c3aed', '#0d9488', '#ca8a04', '#db2777', '#475569'];

const W = 560;
const H = 250;
const M = { left: 58, right: 14, top: 30, bottom: 40 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export interface Series {
  name: string;
  values: Array<number | null>;
  color?: string;
  dashed?: boolean;
}

export interface LineChartSpec {
  id: string;
  title: string;
  x: number[];
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  yLog?: boolean;
  /** draw a marker on every point (always done when there are few points) */
  markers?: boolean;
  /** per-point labels drawn next to the markers of the first series (sweep levels), placed clear of the curves (placeLabels) */
  pointLabels?: string[];
  /** points to mark as failed (a red ring), by index */
  bad?: boolean[];
  /** horizontal reference lines, e.g. an SLO's bound */
  bounds?: Array<{ value: number; label: string }>;
  /** add the hover read-out (time series) */
  hover?: boolean;
  /** the x value of each point in the read-out, e.g. "12s" */
  hoverX?: string[];
  note?: string;
}

interface Axis {
  lo: number;
  hi: number;
  log: boolean;
  pos(v: number): number;
  ticks: number[];
}

/** flip: values grow upwards (y). tight: the range ends at the data, not at the next round tick (x). */
function axis(lo0: number, hi0: number, log: boolean, size: number, flip: boolean, tight = false): Axis {
  let lo = lo0;
  let hi = hi0;
  if (log) {
    lo = Math.max(lo, 1e-9);
    if (!(hi > lo)) hi = lo * 2;
  } else if (!(hi > lo)) hi = lo + (lo === 0 ? 1 : Math.abs(lo));
  const ticks = log ? logTicks(lo, hi) : linearTicks(lo, hi);
  if (!log && !tight) {
    lo = Math.min(lo, ticks[0]!);
    hi = Math.max(hi, ticks[ticks.length - 1]!);
  }
  const f = log ? Math.log : (v: number) => v;
  const a = f(lo);
  const b = f(hi);
  const pos = (v: number) => {
    const t = (f(log ? Math.max(v, lo) : v) - a) / (b - a);
    return flip ? size - t * size : t * size;
  };
  return { lo, hi, log, pos, ticks: ticks.filter((t) => t >= lo - 1e-9 && t <= hi + 1e-9) };
}

export function linearTicks(lo: number, hi: number, target = 5): number[] {
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => raw <= s) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  if (out[out.length - 1]! < hi) out.push(Number((out[out.length - 1]! + step).toPrecision(12)));
  return out;
}

export function logTicks(lo: number, hi: number): number[] {
  if (hi / lo < 10) return linearTicks(lo, hi, 4).filter((t) => t > 0 && t >= lo && t <= hi);
  const out: number[] = [];
  const mults = hi / lo > 1e4 ? [1] : [1, 2, 5];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mults) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(Number(v.toPrecision(6)));
    }
  }
  return out;
}

function frame(spec: { id: string; title: string; xLabel: string; yLabel: string; points: number; note?: string }, x: Axis, y: Axis, body: string, legend: string, extra = '', after = ''): string {
  const grid = y.ticks
    .map((t) => `<line class="grid" x1="0" x2="${PW}" y1="${r(y.pos(t))}" y2="${r(y.pos(t))}"/><text class="tick" x="-6" y="${r(y.pos(t)) + 4}" text-anchor="end">${esc(fmtTick(t))}</text>`)
    .join('');
  const xt = x.ticks.map((t) => `<line class="axis" x1="${r(x.pos(t))}" x2="${r(x.pos(t))}" y1="${PH}" y2="${PH + 4}"/><text class="tick" x="${r(x.pos(t))}" y="${PH + 16}" text-anchor="middle">${esc(fmtTick(t))}</text>`).join('');
  return (
    `<figure class="chart" id="${esc(spec.id)}" data-chart="${esc(spec.id)}" data-points="${spec.points}"${extra}>` +
    `<figcaption>${esc(spec.title)}</figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(spec.title)}" preserveAspectRatio="xMidYMid meet">` +
    `<g class="legend" transform="translate(${M.left},14)">${legend}</g>` +
    `<g class="plot" transform="translate(${M.left},${M.top})">${grid}` +
    `<line class="axis" x1="0" x2="${PW}" y1="${PH}" y2="${PH}"/><line class="axis" x1="0" x2="0" y1="0" y2="${PH}"/>${xt}` +
    `<text class="label" x="${PW / 2}" y="${PH + 33}" text-anchor="middle">${esc(spec.xLabel)}</text>` +
    `<text class="label" transform="translate(-46,${PH / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>` +
    body +
    `</g></svg>` +
    after +
    (spec.note ? `<p class="note">${esc(spec.note)}</p>` : '') +
    `</figure>`
  );
}

function legendOf(items: Array<{ name: string; color: string; dashed?: boolean }>): string {
  let x = 0;
  return items
    .map((s) => {
      const g = `<g transform="translate(${x},0)"><line x1="0" x2="16" y1="-4" y2="-4" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/><text class="legend-text" x="20" y="0">${esc(s.name)}</text></g>`;
      x += 30 + s.name.length * 6.2;
      return g;
    })
    .join('');
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A placeholder figure when a chart has nothing to draw (data-points="0"). */
export function emptyChart(id: string, title: string, why: string): string {
  return `<figure class="chart empty" id="${esc(id)}" data-chart="${esc(id)}" data-points="0"><figcaption>${esc(title)}</figcaption><p class="note">${esc(why)}</p></figure>`;
}

export function lineChart(spec: LineChartSpec): string {
  const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && (!spec.yLog || v > 0);
  let points = 0;
  let yMax = -Infinity;
  let yMin = Infinity;
  for (const s of spec.series) for (let i = 0; i < s.values.length; i++) {
    const v = s.values[i];
    if (finite(v) && Number.isFinite(spec.x[i])) {
      points++;
      yMax = Math.max(yMax, v);
      yMin = Math.min(yMin, v);
    }
  }
  if (points === 0) return emptyChart(spec.id, spec.title, 'no data');
  for (const b of spec.bounds ?? []) if (Number.isFinite(b.value) && b.value > 0) yMax = Math.max(yMax, b.value);
  const xs = spec.x.filter((v) => Number.isFinite(v) && (!spec.xLog || v > 0));
  const x = axis(spec.xLog ? Math.min(...xs) : Math.min(0, ...xs), Math.max(...xs), !!spec.xLog, PW, false, !spec.markers);
  const y = axis(spec.yLog ? yMin / 1.2 : 0, spec.yLog ? yMax * 1.2 : yMax * 1.05, !!spec.yLog, PH, true);
  const colored = spec.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! }));
  const markers = spec.markers || spec.x.length <= 40;
  let body = '';
  for (const b of spec.bounds ?? []) {
    if (!Number.isFinite(b.value) || b.value <= 0) continue;
    const py = r(y.pos(b.value));
    body += `<line class="bound" x1="0" x2="${PW}" y1="${py}" y2="${py}" stroke="#b91c1c" stroke-width="1" stroke-dasharray="6 3"><title>${esc(b.label)}</title></line><text class="bound-label" x="${PW - 2}" y="${r(py - 3)}" text-anchor="end">${esc(b.label)}</text>`;
  }
  const segments: Segment[] = [];
  const anchors: Array<{ x: number; y: number; text: string }> = [];
  colored.forEach((s, si) => {
    let d = '';
    let pen = false;
    let dots = '';
    let prev: [number, number] | undefined;
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      const xv = spec.x[i];
      if (!finite(v) || xv === undefined || !Number.isFinite(xv)) {
        pen = false;
        prev = undefined;
        continue;
      }
      const px = r(x.pos(xv));
      const py = r(y.pos(v));
      d += `${pen ? 'L' : 'M'}${px} ${py}`;
      pen = true;
      if (prev) segments.push([prev[0], prev[1], px, py]);
      prev = [px, py];
      if (markers) {
        const label = spec.pointLabels?.[i];
        const bad = spec.bad?.[i];
        dots += `<circle class="dot${bad ? ' bad-point' : ''}" cx="${px}" cy="${py}" r="${bad ? 4 : 3}" fill="${s.color}"${bad ? ' stroke="#dc2626" stroke-width="2"' : ''}><title>${esc(`${s.name}${label ? ` @ ${label}` : ''}${bad ? ' (failed)' : ''}: ${fmtNum(v)} (x = ${fmtNum(xv)})`)}</title></circle>`;
        if (label && si === 0) anchors.push({ x: px, y: py, text: label });
      }
    }
    body += `<path class="series" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>${dots}`;
  });
  for (const l of placeLabels(anchors, segments, { w: PW, h: PH })) body += `<text class="point-label" x="${r(l.x)}" y="${r(l.y)}" text-anchor="${l.anchor}">${esc(l.text)}</text>`;
  let extra = '';
  if (spec.hover) {
    body += `<line class="cursor" x1="0" x2="0" y1="0" y2="${PH}" visibility="hidden"/><rect class="hover-area" x="0" y="0" width="${PW}" height="${PH}" fill="transparent"/>`;
    const hover = {
      left: M.left,
      width: PW,
      viewWidth: W,
      px: spec.x.map((v) => r(x.pos(v))),
      x: spec.hoverX ?? spec.x.map((v) => fmtNum(v)),
      series: colored.map((s) => ({ name: s.name, color: s.color, values: s.values.map((v) => (finite(v) ? fmtNum(v) : '–')) })),
    };
    extra = ` data-hover="${esc(jsonForScript(hover))}"`;
  }
  return frame({ ...spec, points }, x, y, body, legendOf(colored), extra, spec.hover ? '<div class="readout" hidden></div>' : '');
}

/** A drawn line segment: x1, y1, x2, y2 in plot coordinates. */
export type Segment = [number, number, number, number];
/** A label's box in plot coordinates (x, y: top left). */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The box of a label drawn at (x, y) (its baseline) with `anchor`, for the 10.5 px label font. */
export function labelBox(text: string, x: number, y: number, anchor: 'start' | 'middle' | 'end'): Box {
  const w = [...text].length * 6 + 2;
  const left = anchor === 'start' ? x : anchor === 'end' ? x - w : x - w / 2;
  return { x: left, y: y - 9, w, h: 12 };
}

const LABEL_SPOTS: ReadonlyArray<[number, number, 'start' | 'middle' | 'end']> = [
  [6, -7, 'start'], [6, 15, 'start'], [-6, -7, 'end'], [-6, 15, 'end'], [0, -11, 'middle'], [0, 20, 'middle'], [9, 4, 'start'], [-9, 4, 'end'],
  [10, -16, 'start'], [-10, -16, 'end'], [10, 24, 'start'], [-10, 24, 'end'],
];

/**
 * Places point labels so that they cross no curve, no other label and no other point, and stay
 * inside the plot: of a dozen spots around each point, the first with nothing in the way (else the
 * one with the least in the way).
 */
export function placeLabels(points: ReadonlyArray<{ x: number; y: number; text: string }>, segments: readonly Segment[], plot: { w: number; h: number }): Array<{ x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' }> {
  const placed: Box[] = [];
  const out: Array<{ x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' }> = [];
  for (const p of points) {
    let best: { score: number; x: number; y: number; anchor: 'start' | 'middle' | 'end'; box: Box } | undefined;
    LABEL_SPOTS.forEach(([dx, dy, anchor], k) => {
      const box = labelBox(p.text, p.x + dx, p.y + dy, anchor);
      let score = k * 0.01;
      for (const sg of segments) if (segmentHitsBox(sg, box)) score += 100;
      for (const b of placed) if (boxesOverlap(b, box)) score += 100;
      for (const q of points) if (q !== p && pointInBox(q.x, q.y, box, 3)) score += 50;
      if (box.x < 0 || box.y < 0 || box.x + box.w > plot.w + 10 || box.y + box.h > plot.h) score += 30;
      if (!best || score < best.score) best = { score, x: p.x + dx, y: p.y + dy, anchor, box };
    });
    placed.push(best!.box);
    out.push({ x: best!.x, y: best!.y, text: p.text, anchor: best!.anchor });
  }
  return out;
}

export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function pointInBox(x: number, y: number, b: Box, pad = 0): boolean {
  return x >= b.x - pad && x <= b.x + b.w + pad && y >= b.y - pad && y <= b.y + b.h + pad;
}

/** Whether a segment crosses or touches a box (Liang-Barsky clipping). */
export function segmentHitsBox([x1, y1, x2, y2]: Segment, b: Box): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q >= 0;
    const t = q / p;
    if (p < 0) {
      if (t > t1) return false;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return false;
      if (t < t1) t1 = t;
    }
    return true;
  };
  return clip(-dx, x1 - b.x) && clip(dx, b.x + b.w - x1) && clip(-dy, y1 - b.y) && clip(dy, b.y + b.h - y1);
}

export interface HistogramSpec {
  id: string;
  title: string;
  bins: DisplayBin[];
  xLabel: string;
  /** vertical lines, e.g. p50 and p99 from the summary */
  markers?: Array<{ name: string; value: number }>;
  note?: string;
}

/** Bars on a log x axis (display bins are equal-width in log space). */
export function histogramChart(spec: HistogramSpec): string {
  const bins = spec.bins.filter((b) => b.hi > 0);
  const points = bins.filter((b) => b.count > 0).length;
  if (points === 0) return emptyChart(spec.id, spec.title, 'no samples');
  const lo = bins[0]!.lo;
  const hi = bins[bins.length - 1]!.hi;
  const x = axis(lo, hi, true, PW, false);
  const maxC = Math.max(...bins.map((b) => b.count));
  const y = axis(0, maxC * 1.05, false, PH, true);
  let body = '';
  for (const b of bins) {
    if (b.count === 0) continue;
    const x0 = x.pos(b.lo);
    const x1 = x.pos(b.hi);
    const top = y.pos(b.count);
    body += `<path class="bar" d="M${r(x0 + 0.5)} ${r(PH)}V${r(top)}H${r(Math.max(x0 + 1, x1 - 0.5))}V${r(PH)}Z" fill="${PALETTE[0]}"><title>${esc(`${fmtNum(b.lo)}–${fmtNum(b.hi)}: ${b.count}`)}</title></path>`;
  }
  const legendItems: Array<{ name: string; color: string; dashed?: boolean }> = [{ name: 'requests', color: PALETTE[0]! }];
  (spec.markers ?? []).forEach((m, i) => {
    if (!Number.isFinite(m.value) || m.value <= 0) return;
    const color = PALETTE[(i + 1) % PALETTE.length]!;
    const px = r(x.pos(Math.min(Math.max(m.value, lo), hi)));
    body += `<line class="marker" x1="${px}" x2="${px}" y1="0" y2="${PH}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"><title>${esc(`${m.name} = ${fmtNum(m.value)}`)}</title></line>`;
    legendItems.push({ name: `${m.name} ${fmtNum(m.value)}`, color, dashed: true });
  });
  return frame({ id: spec.id, title: spec.title, xLabel: spec.xLabel, yLabel: 'count', points, ...(spec.note ? { note: spec.note } : {}) }, x, y, body, legendOf(legendItems));
}
