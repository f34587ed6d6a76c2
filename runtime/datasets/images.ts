/**
 * Image datasets (evalscope's multimodal ones). Each item is a request body whose one user message
 * is OpenAI content parts: the text, then the images as `image_url` parts with data URLs, as
 * evalscope's create_message builds it:
 *   {body: {messages: [{role: "user", content: [{type: "text", text}, {type: "image_url", image_url: {url}}]}]}}
 *
 * - random_vl      random prompts (the random dataset's, so a tokenizer is needed) with `imageNum`
 *                  generated PNG images of imageWidth × imageHeight in imageFormat (png.ts)
 * - flickr8k       a local copy of clip-benchmark/wds_flickr8k: text = the caption ("txt")
 * - kontext_bench  a local copy of black-forest-labs/kontext-bench: text = the "instruction"
 *                  (else "Describe the image", evalscope's default)
 * A local copy is a folder (its `test/` split when it has one) or one file, holding either WebDataset
 * shards (.tar files whose members `<key>.jpg|png|webp` and `<key>.txt|json` make one sample), or an
 * image folder with a metadata.jsonl / metadata.csv naming each image's file_name and its text.
 * Images are sent as the bytes of the file (evalscope re-encodes them as JPEG first). llmperf never
 * downloads: the files are read from the path given (--dataset-path). `number` caps the samples read.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { DatasetItem, DatasetOptions } from './types.ts';
import { dataUrl, imageMode, randomImage } from './png.ts';
import { randomItems } from './random.ts';
import { seeded } from './rng.ts';

const IMAGE_MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', bmp: 'image/bmp' };

/** A user message of `text` and `images` (data URLs), as evalscope's create_message. */
export function imageItem(text: string, images: string[]): DatasetItem {
  return { body: { messages: [{ role: 'user', content: [{ type: 'text', text }, ...images.map((url) => ({ type: 'image_url', image_url: { url } }))] }] } };
}

function positiveInt(v: number | undefined, def: number, flag: string): number {
  const n = v ?? def;
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} ${String(v)}: must be a whole number >= 1`, 'INVALID_DATASET_OPTION');
  return n;
}

export function randomVlItems(opts: DatasetOptions): { name: string; items: DatasetItem[] } {
  if (opts.tokenizePrompt) throw new ConfigError('--tokenize-prompt is not supported with random_vl: its requests carry images, which a list of token ids cannot (remove --tokenize-prompt, or use --dataset random)', 'INVALID_DATASET_OPTION');
  const width = positiveInt(opts.imageWidth, 224, '--image-width');
  const height = positiveInt(opts.imageHeight, 224, '--image-height');
  const count = positiveInt(opts.imageNum, 1, '--image-num');
  const mode = imageMode(opts.imageFormat);
  const { items } = randomItems({ ...opts, kind: 'random' });
  const out = items.map((item, i) => {
    const rand = seeded(opts.seed ?? 0, 'random_vl', i);
    const images = Array.from({ length: count }, () => dataUrl(randomImage(width, height, mode, rand), 'image/png'));
    return imageItem(item.prompt ?? '', images);
  });
  return { name: 'random_vl', items: out };
}

/** One sample of a local image dataset: the image's bytes and MIME type, and its text fields. */
interface ImageSample {
  image: Uint8Array;
  mime: string;
  fields: Record<string, string>;
}

/** The members of a tar archive (ustar, pax and GNU long names), regular files only. */
export function* tarMembers(buf: Uint8Array): Generator<{ name: string; data: Uint8Array }> {
  const text = (a: number, b: number) => Buffer.from(buf.subarray(a, b)).toString('utf8').replace(/\0.*$/s, '');
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(text(off + 124, off + 136).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) break;
    const type = String.fromCharCode(header[156]!);
    const prefix = text(off + 345, off + 500);
    const name = longName ?? (prefix ? `${prefix}/${text(off, off + 100)}` : text(off, off + 100));
    longName = undefined;
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') longName = Buffer.from(data).toString('utf8').replace(/\0.*$/s, '');
    else if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(Buffer.from(data).toString('utf8'));
      if (m) longName = m[1];
    } else if (type === '0' || type === '\0') yield { name, data };
  }
}

/** WebDataset samples of one tar: members `<dir>/<key>.<ext>` with the same key form a sample. */
function* tarSamples(file: string): Generator<ImageSample> {
  let key: string | undefined;
  let cur: { image?: Uint8Array; mime?: string; fields: Record<string, string> } = { fields: {} };
  const flush = function* (): Generator<ImageSample> {
    if (cur.image && cur.mime) yield { image: cur.image, mime: cur.mime, fields: cur.fields };
  };
  for (const m of tarMembers(readFileSync(file))) {
    const base = basename(m.name);
    const dot = base.indexOf('.');
    if (dot <= 0) continue;
    const k = `${dirname(m.name)}/${base.slice(0, dot)}`;
    const ext = base.slice(dot + 1).toLowerCase();
    if (k !== key) {
      yield* flush();
      key = k;
      cur = { fields: {} };
    }
    const mime = IMAGE_MIME[ext];
    if (mime) {
      cur.image = m.data;
      cur.mime = mime;
    } else if (ext === 'json') {
      try {
        const o = JSON.parse(Buffer.from(m.data).toString('utf8')) as Record<string, unknown>;
        for (const [f, v] of Object.entries(o)) if (typeof v === 'string') cur.fields[f] = v;
      } catch {
        /* not a JSON object: ignored */
      }
    } else cur.fields[ext] = Buffer.from(m.data).toString('utf8').trim();
  }
  yield* flush();
}

/** Splits one CSV line (RFC 4180 quotes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** An image folder's samples: metadata.jsonl (or .csv) rows naming file_name and text columns. */
function* folderSamples(dir: string, metadata: string): Generator<ImageSample> {
  const lines = readFileSync(metadata, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const csv = metadata.endsWith('.csv');
  const header = csv ? csvFields(lines.shift() ?? '') : [];
  for (const [i, line] of lines.entries()) {
    let row: Record<string, unknown>;
    if (csv) row = Object.fromEntries(csvFields(line).map((v, j) => [header[j] ?? `col${j}`, v]));
    else {
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch (e) {
        throw new ConfigError(`${metadata}:${i + 1}: invalid JSON (${(e as Error).message})`, 'INVALID_DATASET');
      }
    }
    const name = row.file_name ?? row.image;
    if (typeof name !== 'string') throw new ConfigError(`${metadata}:${i + (csv ? 2 : 1)}: a row needs "file_name" (the image, relative to ${dir})`, 'INVALID_DATASET');
    const mime = IMAGE_MIME[extname(name).slice(1).toLowerCase()];
    if (!mime) throw new ConfigError(`${metadata}: ${name} is not an image llmperf knows (${Object.keys(IMAGE_MIME).join(', ')})`, 'INVALID_DATASET');
    const file = resolve(dir, name);
    if (!existsSync(file)) throw new ConfigError(`${metadata}: image not found: ${file}`, 'INVALID_DATASET');
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (typeof v === 'string') fields[k] = v;
    yield { image: readFileSync(file), mime, fields };
  }
}

/** The samples of a local copy: a .tar, a folder of .tar shards, or an image folder with metadata. */
function* localSamples(path: string, what: string): Generator<ImageSample> {
  if (!existsSync(path)) throw new ConfigError(`${what}: ${path} not found. llmperf never downloads: pass --dataset-path the folder (or .tar) of a local copy`, 'DATASET_NOT_FOUND');
  if (statSync(path).isFile()) {
    if (!path.endsWith('.tar')) throw new ConfigError(`${what}: ${path} is neither a folder nor a .tar (WebDataset shard)`, 'INVALID_DATASET');
    yield* tarSamples(path);
    return;
  }
  const dir = existsSync(join(path, 'test')) && statSync(join(path, 'test')).isDirectory() ? join(path, 'test') : path;
  for (const meta of ['metadata.jsonl', 'metadata.csv']) {
    if (existsSync(join(dir, meta))) {
      yield* folderSamples(dir, join(dir, meta));
      return;
    }
  }
  const shards = readdirSync(dir).filter((f) => f.endsWith('.tar')).sort();
  if (!shards.length) {
    throw new ConfigError(`${what}: ${dir} has no WebDataset shards (.tar) and no metadata.jsonl / metadata.csv (it holds: ${readdirSync(dir).slice(0, 12).join(', ') || 'nothing'}); Parquet copies are not read: use the dataset's .tar shards`, 'INVALID_DATASET');
  }
  for (const s of shards) yield* tarSamples(join(dir, s));
}

const TEXT_FIELDS = { flickr8k: ['txt', 'caption', 'text'], kontext_bench: ['instruction', 'txt', 'prompt', 'text'] } as const;

export function localImageItems(kind: 'flickr8k' | 'kontext_bench', path: string, number?: number): DatasetItem[] {
  const items: DatasetItem[] = [];
  for (const s of localSamples(path, `${kind} dataset`)) {
    const text = TEXT_FIELDS[kind].map((f) => s.fields[f]).find((t) => t) ?? (kind === 'kontext_bench' ? 'Describe the image' : '');
    items.push(imageItem(text, [dataUrl(s.image, s.mime)]));
    if (number !== undefined && items.length >= number) break;
  }
  if (!items.length) throw new ConfigError(`${kind} dataset: no image samples in ${path}`, 'EMPTY_DATASET');
  return items;
}
