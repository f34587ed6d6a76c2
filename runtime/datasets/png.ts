/**
 * Random images for random_vl, made with Node's own zlib: a canvas filled with one colour and one to
 * five random shapes (rectangles, ellipses, lines of width 1-5), as evalscope's random_vl draws them,
 * encoded as PNG (8-bit, filter 0 on every scanline, deflated) and sent as a data URL.
 *
 * Formats are PIL's mode names: RGB (colour type 2), RGBA (6), L (grey, 0) and LA (grey + alpha, 4).
 * Deterministic: the same seed gives the same image.
 */
import { deflateSync } from 'node:zlib';
import { ConfigError } from '../errors.ts';
import type { Rand } from './rng.ts';

const MODES = { RGB: { channels: 3, colorType: 2 }, RGBA: { channels: 4, colorType: 6 }, L: { channels: 1, colorType: 0 }, LA: { channels: 2, colorType: 4 } } as const;
export type ImageMode = keyof typeof MODES;
export const IMAGE_MODES = Object.keys(MODES) as ImageMode[];

export function imageMode(format: string | undefined): ImageMode {
  const f = (format ?? 'RGB').toUpperCase();
  if (!(f in MODES)) throw new ConfigError(`--image-format ${format}: use ${IMAGE_MODES.join(', ')} (PIL's mode names; images are sent as PNG)`, 'INVALID_DATASET_OPTION');
  return f as ImageMode;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG bytes of `pixels` (width × height × channels, row-major, 8 bits per channel). */
export function encodePng(width: number, height: number, mode: ImageMode, pixels: Uint8Array): Buffer {
  const { channels, colorType } = MODES[mode];
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

class Canvas {
  readonly px: Uint8Array;
  constructor(readonly w: number, readonly h: number, readonly ch: number) {
    this.px = new Uint8Array(w * h * ch);
  }
  set(x: number, y: number, c: readonly number[]): void {
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    this.px.set(c, (y * this.w + x) * this.ch);
  }
  fill(c: readonly number[]): void {
    for (let i = 0; i < this.w * this.h; i++) this.px.set(c, i * this.ch);
  }
  rect(x1: number, y1: number, x2: number, y2: number, c: readonly number[]): void {
    for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) this.set(x, y, c);
  }
  ellipse(x1: number, y1: number, x2: number, y2: number, c: readonly number[]): void {
    const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, rx = Math.max(0.5, (x2 - x1) / 2), ry = Math.max(0.5, (y2 - y1) / 2);
    for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) this.set(x, y, c);
  }
  line(x1: number, y1: number, x2: number, y2: number, width: number, c: readonly number[]): void {
    const steps = Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1), 1);
    const r = Math.floor((width - 1) / 2);
    for (let i = 0; i <= steps; i++) {
      const x = Math.round(x1 + ((x2 - x1) * i) / steps), y = Math.round(y1 + ((y2 - y1) * i) / steps);
      this.rect(x - r, y - r, x - r + width - 1, y - r + width - 1, c);
    }
  }
}

function colour(rand: Rand, mode: ImageMode): number[] {
  const v = () => Math.floor(rand() * 256);
  const rgb = [v(), v(), v()];
  switch (mode) {
    case 'RGB': return rgb;
    case 'RGBA': return [...rgb, 255];
    case 'L': return [Math.round(0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!)];
    case 'LA': return [Math.round(0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!), 255];
  }
}

/** A random image (a filled canvas and 1-5 shapes) as PNG bytes. */
export function randomImage(width: number, height: number, mode: ImageMode, rand: Rand): Buffer {
  const canvas = new Canvas(width, height, MODES[mode].channels);
  canvas.fill(colour(rand, mode));
  const shapes = 1 + Math.floor(rand() * 5);
  for (let s = 0; s < shapes; s++) {
    const kind = Math.floor(rand() * 3);
    const px = () => Math.floor(rand() * width), py = () => Math.floor(rand() * height);
    let x1 = px(), y1 = py(), x2 = px(), y2 = py();
    if (x1 > x2) [x1, x2] = [x2, x1];
    if (y1 > y2) [y1, y2] = [y2, y1];
    if (x1 === x2) x2 = Math.min(x1 + 1, width - 1);
    if (y1 === y2) y2 = Math.min(y1 + 1, height - 1);
    const c = colour(rand, mode);
    if (kind === 0) canvas.rect(x1, y1, x2, y2, c);
    else if (kind === 1) canvas.ellipse(x1, y1, x2, y2, c);
    else canvas.line(x1, y1, x2, y2, 1 + Math.floor(rand() * 5), c);
  }
  return encodePng(width, height, mode, canvas.px);
}

/** `data:<mime>;base64,...` */
export function dataUrl(bytes: Uint8Array, mime: string): string {
  return `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;
}
