/**
 * The one place HDR histograms are built. Every trend value is recorded as an integer number of
 * micro-units (value * 1000: microseconds for time trends), with 3 significant digits (0.1 % relative
 * precision) and auto-resizing range, so memory depends on the value range, never on the sample count.
 *
 * WASM histograms are ~3x faster than the JS ones; the two kinds must never be mixed in `add()`, so this
 * module decides once (at init) and every histogram, including decoded ones, uses the same kind.
 */
import * as hdr from 'hdr-histogram-js';

export const HDR_SCALE = 1000;
export const HDR_SIGNIFICANT_DIGITS = 3;

let useWasm = false;
let initialised = false;

/** Call once before building histograms (idempotent). Falls back to JS histograms if WASM fails. */
export async function initHistograms(opts: { wasm?: boolean } = {}): Promise<void> {
  if (initialised) return;
  initialised = true;
  if (opts.wasm === false) return;
  try {
    await hdr.initWebAssembly();
    useWasm = true;
  } catch {
    useWasm = false;
  }
}

export function histogramsUseWasm(): boolean {
  return useWasm;
}

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS,
    useWebAssembly: useWasm,
  });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes straight into a histogram of the kind chosen at init (WASM or JS), so add() never mixes kinds. */
export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 32, useWasm);
}

export function freeHistogram(h: Histogram): void {
  h.destroy();
}
