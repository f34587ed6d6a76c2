/**
 * File reading for datasets: path resolution with errors that say which option to fix, numbered
 * lines, JSON-array-or-JSONL records, and `path:line: …` errors for bad records.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError } from '../errors.ts';
import type { NumberedLine } from '../../types/dataset-plugin.d.ts';

/** A record and where it came from (`path:line`, or `path: item N` inside a JSON array). */
export interface Located<T> {
  where: string;
  value: T;
}

/** A ConfigError for bad content at `where`. */
export function invalid(where: string, what: string): ConfigError {
  return new ConfigError(`${where}: ${what}`, 'INVALID_DATASET');
}

/**
 * The absolute path of a dataset file, or a ConfigError naming the path, what is there instead, and
 * the flag/option to fix. `what` describes the file for the message (e.g. "openqa dataset").
 */
export function resolveDataFile(path: string | undefined, baseDir: string | undefined, what: string): string {
  if (path === undefined || path.trim() === '') {
    throw new ConfigError(`the ${what} needs a file: pass --dataset-path (or the dataset's path option)`, 'DATASET_NOT_FOUND');
  }
  const abs = resolve(baseDir ?? process.cwd(), path);
  if (!existsSync(abs)) {
    let dir = dirname(abs);
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    let names: string[] = [];
    try {
      names = readdirSync(dir).sort();
    } catch {
      /* unreadable: say nothing about it */
    }
    const listing = names.length === 0 ? 'nothing' : names.slice(0, 12).join(', ') + (names.length > 12 ? `, … (${names.length} entries)` : '');
    throw new ConfigError(
      `${what} not found: ${abs} (from "${path}"; ${dir} holds: ${listing}). Fix --dataset-path (or the dataset's path option).`,
      'DATASET_NOT_FOUND',
    );
  }
  if (statSync(abs).isDirectory()) {
    throw new ConfigError(`${what} path ${abs} is a folder: pass the file itself with --dataset-path (or the dataset's path option)`, 'DATASET_NOT_FOUND');
  }
  return abs;
}

/** The non-blank lines of a UTF-8 text file, numbered from 1, without line terminators or a BOM. */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() !== '') yield { line, text };
  }
}

/** JSON.parse with a `path:line: invalid JSON (...)` ConfigError. */
export function parseJsonLine(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(where, `invalid JSON (${(err as Error).message})`);
  }
}

/** Is the first non-blank character of the file `[`? (A JSON array rather than JSONL.) */
async function startsWithBracket(path: string): Promise<boolean> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 4096 });
  try {
    for await (const chunk of stream) {
      const trimmed = (chunk as string).replace(/^\uFEFF/, '').trimStart();
      if (trimmed !== '') return trimmed.startsWith('[');
    }
    return false;
  } finally {
    stream.destroy();
  }
}

/** Line number of character offset `pos` in `text`. */
function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The records of a file that is either one JSON array (LongAlpaca-12k.json, ShareGPT dumps) or JSONL
 * (one JSON value a line).
 */
export async function* readJsonRecords(path: string): AsyncGenerator<Located<unknown>> {
  if (!(await startsWithBracket(path))) {
    for await (const { line, text } of readLines(path)) {
      const where = `${path}:${line}`;
      yield { where, value: parseJsonLine(text, where) };
    }
    return;
  }
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message)?.[1];
    const where = pos === undefined ? path : `${path}:${lineAt(text, Number(pos))}`;
    throw invalid(where, `invalid JSON (${message})`);
  }
  if (!Array.isArray(data)) throw invalid(path, 'expected a JSON array of records or JSON Lines');
  for (let i = 0; i < data.length; i++) yield { where: `${path}: item ${i + 1}`, value: data[i] };
}

/** A plain object, or a `where: expected a JSON object` ConfigError. */
export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(where, `expected a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
