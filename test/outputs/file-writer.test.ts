// Units of runtime/outputs/file-writer.ts: the buffered line writer of the --out json/csv outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BufferedFileWriter } from '../../runtime/outputs/file-writer.ts';

test('the file writer buffers, survives backpressure and gzips .gz paths', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmperf-fw-'));
  const w = new BufferedFileWriter(path.join(dir, 'sub', 'p.jsonl.gz'), () => {}, { highWaterBytes: 1024 });
  await w.ready();
  const line = JSON.stringify({ x: 'y'.repeat(100) }) + '\n';
  for (let i = 0; i < 20_000; i++) w.write(line);
  await w.close();
  const text = gunzipSync(readFileSync(path.join(dir, 'sub', 'p.jsonl.gz'))).toString();
  assert.equal(text.length, line.length * 20_000);
  assert.throws(() => new BufferedFileWriter(path.join(dir, 'sub', 'p.jsonl.gz', 'nope'), () => {}), /cannot create the folder/);
  const warnings: string[] = [];
  const isDir = new BufferedFileWriter(path.join(dir, 'sub'), (l) => warnings.push(l));
  await assert.rejects(isDir.ready(), /cannot write .*sub: EISDIR/);
  isDir.write('x\n');
  await isDir.close();
  assert.equal(warnings.length, 1);
});
