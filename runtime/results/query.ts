/**
 * `llmperf report <run-dir> --requests 'error_code IS NOT NULL'`: rows of requests.sqlite as a table
 * (or JSON lines). The filter is one SQL expression over the columns of `requests` (columns.ts; the
 * README documents them); the short names columns.ts declares (ttft for ttft_ms, iter for iteration)
 * work too. Opened read-only; anything that is not a single expression (a `;`, a comment, unbalanced
 * parentheses) is refused.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';
import { REQUEST_COLUMNS, requestColumn, type ColumnName } from './columns.ts';
import { RUN_FILES } from './run-dir.ts';

export interface QueryOptions {
  /** SQL expression, e.g. "error_code IS NOT NULL" or "ttft > 500 AND status = 200" */
  where?: string;
  /** only failed requests (ok = 0, interrupted ones excluded) */
  failed?: boolean;
  /** the slowest requests first by this timing */
  slowest?: 'ttft' | 'e2e' | 'tpot' | 'ttfb';
  /** at most N rows (default 20; 0 = all) */
  limit?: number;
  /** JSON lines with every column (bodies included) instead of a table */
  json?: boolean;
}

const DEFAULT_LIMIT = 20;
/** [short name, column]: the aliases columns.ts declares. */
const ALIASES: Array<[string, ColumnName]> = REQUEST_COLUMNS.flatMap((c) => (c.alias ? [[c.alias, c.name] as [string, ColumnName]] : []));
const SLOWEST = ['ttft', 'e2e', 'tpot', 'ttfb'] as const;

/** Throws ConfigError unless `expr` is one expression: no `;`, no comments, balanced parentheses. */
export function checkWhere(expr: string): void {
  const bad = (why: string) => new ConfigError(`--requests ${JSON.stringify(expr)}: ${why}; give one SQL expression over the requests columns, e.g. "error_code IS NOT NULL" or "ttft_ms > 500 AND status = 200"`);
  if (!expr.trim()) throw bad('empty filter');
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      let j = i + 1;
      for (; j < expr.length; j++) {
        if (expr[j] === close) {
          if (close !== ']' && expr[j + 1] === close) j++;
          else break;
        }
      }
      if (j >= expr.length) throw bad(`unterminated ${c === "'" ? 'string' : 'quoted name'}`);
      i = j;
    } else if (c === ';') throw bad('";" is not allowed (a single expression only)');
    else if (c === '-' && expr[i + 1] === '-') throw bad('comments are not allowed');
    else if (c === '/' && expr[i + 1] === '*') throw bad('comments are not allowed');
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw bad('unbalanced ")"');
    }
  }
  if (depth !== 0) throw bad('unbalanced "("');
}

function dbPath(runDir: string): string {
  const p = path.resolve(runDir);
  if (!existsSync(p)) throw new ConfigError(`report: ${runDir} does not exist: give a run directory (it holds ${RUN_FILES.requests})`);
  const file = statSync(p).isDirectory() ? path.join(p, RUN_FILES.requests) : p;
  if (!existsSync(file)) throw new ConfigError(`report: no ${RUN_FILES.requests} in ${runDir} (was the run made with --no-save?)`);
  return file;
}

export async function queryRequests(runDir: string, opts: QueryOptions = {}): Promise<string> {
  const file = dbPath(runDir);
  const conds: string[] = [];
  if (opts.where !== undefined) {
    checkWhere(opts.where);
    conds.push(`(${opts.where})`);
  }
  if (opts.failed) conds.push(`(ok = 0 AND coalesce(error_code, '') <> 'ABORTED')`);
  let order = 'start_ms, id';
  if (opts.slowest) {
    if (!(SLOWEST as readonly string[]).includes(opts.slowest)) throw new ConfigError(`--slowest ${opts.slowest}: use ttft, e2e, tpot or ttfb`);
    const col = ALIASES.find(([a]) => a === opts.slowest)![1];
    conds.push(`${col} IS NOT NULL`);
    order = `${col} DESC`;
  }
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new ConfigError(`--limit ${limit}: give a whole number >= 0 (0 = all rows)`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const from = `(SELECT *, ${ALIASES.map(([a, c]) => `${c} AS ${a}`).join(', ')} FROM requests)`;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new ConfigError(`report: cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    let rows: Array<Record<string, unknown>>;
    let total: number;
    try {
      rows = db.prepare(`SELECT * FROM ${from} ${where} ORDER BY ${order}${limit ? ` LIMIT ${limit}` : ''}`).all() as Array<Record<string, unknown>>;
      total = (db.prepare(`SELECT count(*) AS n FROM ${from} ${where}`).get() as { n: number }).n;
    } catch (e) {
      const cols = (db.prepare('PRAGMA table_info(requests)').all() as Array<{ name: string }>).map((c) => c.name);
      throw new ConfigError(`--requests ${JSON.stringify(opts.where ?? '')}: ${(e as Error).message}. Columns: ${cols.join(', ')} (${ALIASES.map(([a]) => a).join(', ')} also work)`);
    }
    if (opts.json) return rows.map((r) => JSON.stringify(stripAliases(r))).join('\n') + (rows.length ? '\n' : '');
    return renderRows(rows, total);
  } finally {
    db.close();
  }
}

function stripAliases(r: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...r };
  for (const [a] of ALIASES) delete rest[a];
  return rest;
}

/** The text table: [heading, column, cell]; numeric columns (by their type in columns.ts) align right. */
const TABLE: Array<[string, ColumnName, (r: Record<string, unknown>) => string]> = [
  ['id', 'id', (r) => String(r.id)],
  ['t (s)', 'start_ms', (r) => num(r.start_ms, 1000, 2)],
  ['scenario', 'scenario', (r) => String(r.scenario)],
  ['vu', 'vu', (r) => String(r.vu)],
  ['iter', 'iteration', (r) => String(r.iteration)],
  ['status', 'status', (r) => String(r.status)],
  ['ttft ms', 'ttft_ms', (r) => num(r.ttft_ms, 1, 1)],
  ['tpot ms', 'tpot_ms', (r) => num(r.tpot_ms, 1, 2)],
  ['e2e ms', 'e2e_ms', (r) => num(r.e2e_ms, 1, 1)],
  ['in tok', 'input_tokens', (r) => num(r.input_tokens, 1, 0)],
  ['out tok', 'output_tokens', (r) => num(r.output_tokens, 1, 0)],
  ['error', 'error_code', (r) => (r.error_code ? `${String(r.error_code)}${r.error_message ? ': ' + oneLine(String(r.error_message), 60) : ''}` : '')],
];
const NUMERIC = new Set(TABLE.map(([, c]) => c).filter((c) => requestColumn(c).type !== 'TEXT'));

/** The rows as an aligned text table, with a footer saying how many matched. */
export function renderRows(rows: Array<Record<string, unknown>>, total: number): string {
  if (rows.length === 0) return `no matching requests\n`;
  const cells = rows.map((r) => TABLE.map(([, , f]) => f(r)));
  const widths = TABLE.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (NUMERIC.has(TABLE[i]![1]) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(TABLE.map(([h]) => h)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  out.push(rows.length < total ? `${rows.length} of ${total} matching requests (use --limit N, 0 for all)` : `${total} matching request${total === 1 ? '' : 's'}`);
  return out.join('\n') + '\n';
}

function num(v: unknown, div: number, digits: number): string {
  return typeof v === 'number' ? (v / div).toFixed(digits) : '-';
}

function oneLine(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? t.slice(0, n - 1) + '…' : t;
}
