/**
 * The `requests` table of requests.sqlite, declared once: one entry per column, in the table's
 * order, saying its name, SQL type, NOT NULL, and how its value comes from a RequestRecord.
 * Everything else that knows the columns is generated from REQUEST_COLUMNS:
 *  - the CREATE TABLE statement (requestsTableSql; store.ts STORE_SCHEMA);
 *  - the INSERT statement and the row function the writer thread binds (insertSql, rowFactorySource;
 *    store-worker.ts compiles the source once, so a row costs what a hand-written array literal costs);
 *  - the columns `llmperf merge` copies (merge.ts) and the short names and types `llmperf report
 *    --requests` knows (query.ts).
 *
 * Storing a new RequestRecord field is one entry here (at the end, so `SELECT *` keeps the positions
 * of the columns before it), plus its line in the README's requests.sqlite table. Stores written
 * before the entry lack the column; `llmperf merge` names it rather than mixing them.
 */
import type { RequestRecord } from '../llm/types.ts';

export type SqlType = 'TEXT' | 'INTEGER' | 'REAL';

/** The RequestRecord fields whose type is assignable to T. */
type FieldsOf<T> = { [K in keyof RequestRecord]-?: RequestRecord[K] extends T ? K : never }[keyof RequestRecord];

/**
 * Where a column's value comes from:
 *  - `{ run: 'id' }`: the run's id (the run directory's name), the same for every row;
 *  - `{ field }`: the record's field as is (a string, a number or null);
 *  - `{ field, as: 'int' }`: a boolean stored as 1/0 (null stays NULL unless the column is NOT NULL);
 *  - `{ field, as: 'itl' }`: ms gaps as a JSON array rounded to the µs (itlJson);
 *  - `{ field, as: 'json' }`: an object or a list as JSON (null stays NULL).
 */
export type ColumnSource =
  | { run: 'id'; field?: never; as?: never }
  | { field: FieldsOf<string | number | null>; as?: never; run?: never }
  | { field: FieldsOf<boolean | null>; as: 'int'; run?: never }
  | { field: FieldsOf<readonly number[]>; as: 'itl'; run?: never }
  | { field: FieldsOf<Readonly<Record<string, string>>> | FieldsOf<readonly string[] | null>; as: 'json'; run?: never };

export type Column = ColumnSource & {
  name: string;
  type: SqlType;
  notNull?: boolean;
  /** part of the primary key */
  key?: boolean;
  /** a shorter name `llmperf report --requests` also accepts (ttft for ttft_ms) */
  alias?: string;
};

const TABLE = [
  { name: 'run_id', type: 'TEXT', notNull: true, key: true, run: 'id' },
  { name: 'id', type: 'INTEGER', notNull: true, key: true, field: 'id' },
  { name: 'scenario', type: 'TEXT', notNull: true, field: 'scenario' },
  { name: 'vu', type: 'INTEGER', notNull: true, field: 'vu' },
  { name: 'iteration', type: 'INTEGER', notNull: true, field: 'iter', alias: 'iter' },
  { name: 'api', type: 'TEXT', field: 'api' },
  { name: 'model', type: 'TEXT', field: 'model' },
  { name: 'url', type: 'TEXT', field: 'url' },
  { name: 'planned_start_ms', type: 'REAL', field: 'plannedStart' },
  { name: 'start_ms', type: 'REAL', notNull: true, field: 'start' },
  { name: 'start_wall_ms', type: 'REAL', notNull: true, field: 'startWall' },
  { name: 'start_mono_ms', type: 'REAL', field: 'startMono' },
  { name: 'ttfb_ms', type: 'REAL', field: 'ttfb', alias: 'ttfb' },
  { name: 'ttft_ms', type: 'REAL', field: 'ttft', alias: 'ttft' },
  { name: 'e2e_ms', type: 'REAL', field: 'e2e', alias: 'e2e' },
  { name: 'tpot_ms', type: 'REAL', field: 'tpot', alias: 'tpot' },
  { name: 'itl_ms', type: 'TEXT', notNull: true, field: 'itl', as: 'itl', alias: 'itl' },
  { name: 'chunks', type: 'INTEGER', notNull: true, field: 'chunks' },
  { name: 'input_tokens', type: 'INTEGER', field: 'inputTokens' },
  { name: 'output_tokens', type: 'INTEGER', field: 'outputTokens' },
  { name: 'input_token_source', type: 'TEXT', field: 'inputTokenSource' },
  { name: 'output_token_source', type: 'TEXT', field: 'outputTokenSource' },
  { name: 'status', type: 'INTEGER', notNull: true, field: 'status' },
  { name: 'ok', type: 'INTEGER', notNull: true, field: 'ok', as: 'int' },
  { name: 'error_code', type: 'TEXT', field: 'errorCode' },
  { name: 'error_message', type: 'TEXT', field: 'errorMessage' },
  { name: 'finish_reason', type: 'TEXT', field: 'finishReason' },
  { name: 'bytes_sent', type: 'INTEGER', field: 'bytesSent' },
  { name: 'bytes_received', type: 'INTEGER', field: 'bytesReceived' },
  { name: 'good', type: 'INTEGER', field: 'good', as: 'int' },
  { name: 'tags', type: 'TEXT', notNull: true, field: 'tags', as: 'json' },
  { name: 'request_body', type: 'TEXT', field: 'requestBody' },
  { name: 'response_text', type: 'TEXT', field: 'responseText' },
  { name: 'response_id', type: 'TEXT', field: 'responseId' },
  { name: 'batch_size', type: 'INTEGER', field: 'batchSize' },
  { name: 'cached_tokens', type: 'INTEGER', field: 'cachedTokens' },
  { name: 'ttft_answer_ms', type: 'REAL', field: 'ttftAnswer', alias: 'ttft_answer' },
  { name: 'reasoning_tokens', type: 'INTEGER', field: 'reasoningTokens' },
  { name: 'answer_tokens', type: 'INTEGER', field: 'answerTokens' },
  { name: 'reasoning_token_source', type: 'TEXT', field: 'reasoningTokenSource' },
  { name: 'reasoning_text', type: 'TEXT', field: 'reasoningText' },
  { name: 'stream_check', type: 'TEXT', field: 'streamCheck' },
  { name: 'content_type', type: 'TEXT', field: 'contentType' },
  { name: 'ended_without_done', type: 'INTEGER', notNull: true, field: 'endedWithoutDone', as: 'int' },
  { name: 'choices', type: 'INTEGER', field: 'choices' },
  { name: 'choice_texts', type: 'TEXT', field: 'choiceTexts', as: 'json' },
] as const satisfies readonly Column[];

export type ColumnName = (typeof TABLE)[number]['name'];

/** The requests columns, in table order. */
export const REQUEST_COLUMNS: ReadonlyArray<Column & { name: ColumnName }> = TABLE;

/** The column names in table order. */
export const REQUEST_COLUMN_NAMES: readonly ColumnName[] = REQUEST_COLUMNS.map((c) => c.name);

/** Column by name. */
export function requestColumn(name: ColumnName): Column {
  return REQUEST_COLUMNS.find((c) => c.name === name)!;
}

/** `CREATE TABLE IF NOT EXISTS requests (...)`, one line per column, then the primary key. */
export function requestsTableSql(cols: readonly Column[] = REQUEST_COLUMNS): string {
  const lines = cols.map((c) => `  ${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
  const key = cols.filter((c) => c.key).map((c) => c.name);
  if (key.length) lines.push(`  PRIMARY KEY (${key.join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS requests (\n${lines.join(',\n')}\n);`;
}

/** The INSERT the writer thread prepares; its parameters are the row function's array, in table order. */
export function insertSql(cols: readonly Column[] = REQUEST_COLUMNS): string {
  return `INSERT INTO requests (${cols.map((c) => c.name).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}

/** The JavaScript expression of one column's value, over `r` (the record), `runId` and `itlJson`. */
function valueExpr(c: Column): string {
  if (c.field === undefined) return 'runId';
  // Field names are identifiers from the table above (never input), checked again here.
  if (!/^[A-Za-z_$][\w$]*$/.test(c.field)) throw new Error(`column ${c.name}: bad field name ${c.field}`);
  const v = `r.${c.field}`;
  switch (c.as) {
    case undefined:
      return v;
    case 'int':
      return c.notNull ? `(${v} ? 1 : 0)` : `(${v} === null ? null : ${v} ? 1 : 0)`;
    case 'itl':
      return `itlJson(${v})`;
    case 'json':
      return c.notNull ? `JSON.stringify(${v})` : `(${v} === null ? null : JSON.stringify(${v}))`;
  }
}

/**
 * The row function as source text: a function expression `(runId) => (r) => [values]` with itlJson
 * inlined, so a thread that cannot import anything (the writer, see store-worker.ts) compiles it once
 * with `new Function('return ' + source)()` and gets the same straight-line code as a hand-written
 * array literal, one property read per column.
 */
export function rowFactorySource(cols: readonly Column[] = REQUEST_COLUMNS): string {
  return `(function (runId) {
  'use strict';
  const itlJson = ${itlJson.toString()};
  return function requestRow(r) {
    return [${cols.map(valueExpr).join(', ')}];
  };
})`;
}

export type RowFunction = (r: RequestRecord) => unknown[];

/** The row function on this thread (the writer thread compiles the same source). */
export function compileRow(runId: string, cols: readonly Column[] = REQUEST_COLUMNS): RowFunction {
  const factory = new Function(`return ${rowFactorySource(cols)}`)() as (runId: string) => RowFunction;
  return factory(runId);
}

/**
 * ITL gaps in ms rounded to the µs, as JSON. Written from the integer µs (whole ms, then the fraction
 * padded to 3 digits: "10.010" reads back as 10.01): twice as fast as formatting each rounded double,
 * and this runs for every gap of every request. Self-contained (no closures, no nested functions):
 * rowFactorySource inlines its source text.
 */
export function itlJson(a: readonly number[]): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) {
    const q = Math.round(a[i]! * 1000);
    if (i) s += ',';
    if (q < 0 || q > 2 ** 31 - 1) s += q / 1000;
    else {
      const w = (q / 1000) | 0;
      const f = q - w * 1000;
      s += w + (f < 10 ? '.00' : f < 100 ? '.0' : '.') + f;
    }
  }
  return s + ']';
}
