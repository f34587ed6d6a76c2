/**
 * The bytes of a Prometheus remote-write 1.0 request, with no dependency: a minimal protobuf encoder
 * for `prometheus.WriteRequest` and a snappy *block format* compressor.
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; }   // timestamp: ms since epoch
 *
 * Labels must come sorted by name with `__name__` first (the caller's job: see sortLabels()).
 */

export interface WireSeries {
  /** [name, value] pairs, `__name__` first, then sorted by name */
  labels: ReadonlyArray<readonly [string, string]>;
  samples: ReadonlyArray<{ value: number; timestamp: number }>;
}

/** Sorts labels the way remote write requires: `__name__` first, then by name (byte order). */
export function sortLabels(labels: Array<[string, string]>): Array<[string, string]> {
  return labels.sort(([a], [b]) => (a === b ? 0 : a === '__name__' ? -1 : b === '__name__' ? 1 : a < b ? -1 : 1));
}

function varintSize(n: number): number {
  let s = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

/** Length of a length-delimited field: key byte + length varint + payload. */
function fieldSize(len: number): number {
  return 1 + varintSize(len) + len;
}

class ByteWriter {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(n: number): void {
    // n is a non-negative integer below 2^53: plain arithmetic, no 32-bit bitwise ops
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  double(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
}

/** Encodes a WriteRequest. Timestamps must be non-negative integers (ms). */
export function encodeWriteRequest(series: readonly WireSeries[]): Buffer {
  // Pass 1: sizes. Strings are UTF-8 encoded once and kept.
  const enc: Array<{ labels: Array<[Buffer, Buffer, number]>; samples: number[]; size: number }> = [];
  let total = 0;
  for (const s of series) {
    let size = 0;
    const labels: Array<[Buffer, Buffer, number]> = [];
    for (const [k, v] of s.labels) {
      const kb = Buffer.from(k, 'utf8');
      const vb = Buffer.from(v, 'utf8');
      const ls = fieldSize(kb.length) + fieldSize(vb.length);
      labels.push([kb, vb, ls]);
      size += fieldSize(ls);
    }
    const samples: number[] = [];
    for (const p of s.samples) {
      const ss = 1 + 8 + 1 + varintSize(p.timestamp);
      samples.push(ss);
      size += fieldSize(ss);
    }
    enc.push({ labels, samples, size });
    total += fieldSize(size);
  }
  // Pass 2: bytes.
  const w = new ByteWriter(Buffer.allocUnsafe(total));
  for (let i = 0; i < series.length; i++) {
    const e = enc[i]!;
    w.byte(0x0a); // WriteRequest.timeseries (1, length-delimited)
    w.varint(e.size);
    for (const [kb, vb, ls] of e.labels) {
      w.byte(0x0a); // TimeSeries.labels (1)
      w.varint(ls);
      w.byte(0x0a); // Label.name (1)
      w.varint(kb.length);
      w.bytes(kb);
      w.byte(0x12); // Label.value (2)
      w.varint(vb.length);
      w.bytes(vb);
    }
    const samples = series[i]!.samples;
    for (let j = 0; j < samples.length; j++) {
      const p = samples[j]!;
      w.byte(0x12); // TimeSeries.samples (2)
      w.varint(e.samples[j]!);
      w.byte(0x09); // Sample.value (1, fixed64)
      w.double(p.value);
      w.byte(0x10); // Sample.timestamp (2, varint)
      w.varint(p.timestamp);
    }
  }
  if (w.pos !== total) throw new Error(`remote-write encoder: size mismatch (${w.pos} != ${total})`);
  return w.buf;
}

const HASH_BITS = 14;
const MAX_OFFSET = 65535;

/**
 * Snappy block-format compression (what remote write's `Content-Encoding: snappy` means; not the
 * framed stream format). Greedy matching on 4-byte hashes; literals and 2-byte-offset copies only,
 * which every snappy decoder accepts.
 */
export function snappyCompress(input: Uint8Array): Buffer {
  const n = input.length;
  // Worst case is a little over n (literal headers); n/6 more is generous.
  const out = Buffer.allocUnsafe(32 + n + Math.ceil(n / 6));
  let o = 0;
  // preamble: uncompressed length as a varint
  let len = n;
  while (len >= 0x80) {
    out[o++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  out[o++] = len;

  const emitLiteral = (from: number, to: number) => {
    let l = to - from;
    while (l > 0) {
      const chunk = Math.min(l, 65536);
      const m = chunk - 1;
      if (m < 60) out[o++] = m << 2;
      else if (m < 0x100) {
        out[o++] = 60 << 2;
        out[o++] = m;
      } else {
        out[o++] = 61 << 2;
        out[o++] = m & 0xff;
        out[o++] = m >>> 8;
      }
      for (let i = 0; i < chunk; i++) out[o++] = input[from + i]!;
      from += chunk;
      l -= chunk;
    }
  };
  const emitCopy = (offset: number, length: number) => {
    while (length > 0) {
      // copies of 1..64 bytes with a 2-byte offset; keep the remainder >= 4 only for tidiness
      const l = length > 64 ? (length - 64 < 4 ? 60 : 64) : length;
      out[o++] = ((l - 1) << 2) | 2;
      out[o++] = offset & 0xff;
      out[o++] = offset >>> 8;
      length -= l;
    }
  };

  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  const load32 = (i: number) => input[i]! | (input[i + 1]! << 8) | (input[i + 2]! << 16) | (input[i + 3]! << 24);
  const hash = (v: number) => Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
  let litStart = 0;
  let i = 0;
  while (i + 4 <= n) {
    const v = load32(i);
    const h = hash(v);
    const cand = table[h]!;
    table[h] = i;
    if (cand >= 0 && i - cand <= MAX_OFFSET && load32(cand) === v) {
      let m = 4;
      while (i + m < n && input[cand + m] === input[i + m]) m++;
      emitLiteral(litStart, i);
      emitCopy(i - cand, m);
      i += m;
      litStart = i;
    } else i++;
  }
  emitLiteral(litStart, n);
  return out.subarray(0, o);
}
