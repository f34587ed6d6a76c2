// The remote-write wire format without a server: protobuf bytes, snappy round trips, option parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeWriteRequest, snappyCompress, sortLabels } from '../../runtime/outputs/prometheus-rw-wire.ts';
import { parsePrometheusRwArg } from '../../runtime/outputs/prometheus-rw.ts';
import { ConfigError } from '../../runtime/errors.ts';

/** A reference snappy block decoder (all four element kinds), to check the compressor. */
function snappyDecompress(b: Uint8Array): Buffer {
  let p = 0;
  let len = 0;
  let shift = 0;
  for (;;) {
    const c = b[p++]!;
    len += (c & 0x7f) * 2 ** shift;
    shift += 7;
    if (c < 0x80) break;
  }
  const out = Buffer.alloc(len);
  let o = 0;
  while (p < b.length) {
    const tag = b[p++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let l = tag >>> 2;
      if (l >= 60) {
        const nb = l - 59;
        l = 0;
        for (let i = 0; i < nb; i++) l += b[p++]! * 256 ** i;
      }
      l += 1;
      for (let i = 0; i < l; i++) out[o++] = b[p++]!;
      continue;
    }
    let l: number;
    let off: number;
    if (kind === 1) {
      l = ((tag >>> 2) & 7) + 4;
      off = ((tag >>> 5) << 8) | b[p++]!;
    } else if (kind === 2) {
      l = (tag >>> 2) + 1;
      off = b[p]! | (b[p + 1]! << 8);
      p += 2;
    } else {
      l = (tag >>> 2) + 1;
      off = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
      p += 4;
    }
    assert.ok(off > 0 && off <= o, `copy offset ${off} at output ${o}`);
    for (let i = 0; i < l; i++, o++) out[o] = out[o - off]!;
  }
  assert.equal(o, len, 'decoded length matches the preamble');
  return out;
}

test('snappy: round trips empty, tiny, random, repetitive and long-run inputs', () => {
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
  const random = Buffer.from(Array.from({ length: 70_000 }, rnd));
  const repetitive = Buffer.from('llmperf_llm_ttft_p95{instance="a",run="r",scenario="chat"} '.repeat(3000));
  const zeros = Buffer.alloc(200_000);
  const mixed = Buffer.concat([random.subarray(0, 1000), repetitive.subarray(0, 5000), random.subarray(1000, 90_000 > random.length ? random.length : 90_000)]);
  for (const input of [Buffer.alloc(0), Buffer.from('a'), Buffer.from('abcd'), Buffer.from('abcdabcdabcdabcde'), random, repetitive, zeros, mixed]) {
    const c = snappyCompress(input);
    assert.deepEqual(snappyDecompress(c), input, `round trip of ${input.length} bytes`);
  }
  assert.ok(snappyCompress(repetitive).length < repetitive.length / 10, 'repetitive label text compresses well');
  assert.ok(snappyCompress(zeros).length < 10_000, 'a long run compresses with overlapping copies');
});

test('snappy: literal headers of 1, 2 and 3 bytes', () => {
  // a 61-byte random literal needs the 1-extra-byte header (60<<2), 300 bytes the 2-byte one (61<<2)
  const lit = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 151 + (i >> 3) * 7) & 0xff));
  for (const n of [59, 60, 61, 256, 257, 300, 66_000]) {
    const input = lit(n);
    assert.deepEqual(snappyDecompress(snappyCompress(input)), input, `literal of ${n}`);
  }
  assert.equal(snappyCompress(Buffer.from('xyz'))[1], (3 - 1) << 2);
});

test('protobuf: a WriteRequest with one series encodes to the expected bytes', () => {
  const bytes = encodeWriteRequest([{ labels: [['__name__', 'up'], ['job', 'x']], samples: [{ value: 1, timestamp: 1000 }] }]);
  // Label{name:"__name__",value:"up"} = 0a 08 "__name__" 12 02 "up"  (14 bytes)
  // Label{name:"job",value:"x"}       = 0a 03 "job" 12 01 "x"         (8 bytes)
  // Sample{value:1.0,timestamp:1000}  = 09 <1.0 LE> 10 e8 07           (12 bytes)
  const label1 = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.from('__name__'), Buffer.from([0x12, 2]), Buffer.from('up')]);
  const label2 = Buffer.concat([Buffer.from([0x0a, 3]), Buffer.from('job'), Buffer.from([0x12, 1]), Buffer.from('x')]);
  const dbl = Buffer.alloc(8);
  dbl.writeDoubleLE(1);
  const sample = Buffer.concat([Buffer.from([0x09]), dbl, Buffer.from([0x10, 0xe8, 0x07])]);
  const ts = Buffer.concat([Buffer.from([0x0a, label1.length]), label1, Buffer.from([0x0a, label2.length]), label2, Buffer.from([0x12, sample.length]), sample]);
  const expected = Buffer.concat([Buffer.from([0x0a, ts.length]), ts]);
  assert.deepEqual(bytes, expected);
});

test('protobuf: large timestamps, long values and UTF-8 lengths are varint-encoded in bytes', () => {
  const now = 1_767_225_600_123; // 2026, needs 6 varint bytes
  const long = 'é'.repeat(200); // 400 bytes of UTF-8: a 2-byte length
  const b = encodeWriteRequest([{ labels: [['__name__', 'm'], ['v', long]], samples: [{ value: -2.5, timestamp: now }] }]);
  const tsBytes: number[] = [];
  for (let n = now; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      tsBytes.push(n);
      break;
    }
    tsBytes.push((n % 128) | 0x80);
  }
  assert.ok(b.includes(Buffer.from([0x10, ...tsBytes])), 'timestamp varint present');
  assert.ok(b.includes(Buffer.concat([Buffer.from([0x12, 0x90, 0x03]), Buffer.from(long)])), 'label value with its 2-byte length (400)');
});

test('labels sort with __name__ first, then by name', () => {
  assert.deepEqual(sortLabels([['scenario', 'a'], ['__name__', 'x'], ['instance', 'i'], ['run', 'r'], ['error_code', 'E']]).map(([k]) => k), ['__name__', 'error_code', 'instance', 'run', 'scenario']);
});

test('--out prometheus-rw argument: URL, options, credentials and errors', () => {
  const c = parsePrometheusRwArg('http://user:p%40ss@127.0.0.1:9090/api/v1/write,interval=2s,run=r1,instance=pod-3,tags=scenario+model,header=X-Scope-OrgID:team1');
  assert.equal(c.url, 'http://127.0.0.1:9090/api/v1/write');
  assert.equal(c.intervalMs, 2000);
  assert.equal(c.run, 'r1');
  assert.equal(c.instance, 'pod-3');
  assert.deepEqual(c.tags, ['scenario', 'model']);
  assert.equal(c.headers['X-Scope-OrgID'], 'team1');
  assert.equal(c.headers.Authorization, 'Basic ' + Buffer.from('user:p@ss').toString('base64'));

  const d = parsePrometheusRwArg('http://127.0.0.1:9090/api/v1/write', { runDir: '/tmp/results/20250101-run7' });
  assert.equal(d.intervalMs, 5000);
  assert.deepEqual(d.tags, ['scenario', 'error_code']);
  if (!process.env.LLMPERF_RUN_ID) assert.equal(d.run, '20250101-run7');

  for (const [bad, re] of [
    ['', /give the remote-write URL/],
    ['127.0.0.1:9090', /must start with http:\/\/ or https:\/\//],
    ['ftp://x/y', /must be http:\/\/ or https:\/\//],
    ['http://exa mple/x', /is not a URL/],
    ['http://user:s3cret@exa mple/x', /"http:\/\/\*\*\*@exa mple\/x" is not a URL/],
    ['http://x/api/v1/write,interval=fast', /interval.*not a valid duration/],
    ['http://x/api/v1/write,every=2s', /unknown option "every"/],
    ['http://x/api/v1/write,tags=scenario+run', /"run" is always a label/],
    ['http://x/api/v1/write,header=nocolon', /header=Name:Value/],
  ] as const) {
    assert.throws(() => parsePrometheusRwArg(bad), (e: unknown) => e instanceof ConfigError && re.test((e as Error).message), bad);
  }
});
