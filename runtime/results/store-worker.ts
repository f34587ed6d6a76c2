/**
 * The body of the SQLite writer thread (see store.ts). It runs from its source text
 * (`eval` worker), so it must be self-contained: no imports, everything through `req`. It knows no
 * column: the INSERT statement and the row function's source come from columns.ts in workerData.
 * Messages: { t: 'rows', rows: RequestRecord[] } | { t: 'close' }. After handling each message it
 * increments the shared counter `ack[0]` so the main thread can wait for it synchronously.
 */
import type { RequestRecord } from '../llm/types.ts';

export interface StoreWorkerData {
  file: string;
  runId: string;
  sqlitePath: string;
  /** columns.ts insertSql() */
  insertSql: string;
  /** columns.ts rowFactorySource() */
  rowFactory: string;
  ack: SharedArrayBuffer;
}

export type StoreWorkerMessage = { t: 'rows'; rows: RequestRecord[] } | { t: 'close' };
export type StoreWorkerReply = { t: 'error'; message: string } | { t: 'closed' };

export function storeWorkerMain(req: NodeJS.Require): void {
  const wt = req('node:worker_threads') as typeof import('node:worker_threads');
  const port = wt.parentPort!;
  const wd = wt.workerData as StoreWorkerData;
  const Database = req(wd.sqlitePath) as typeof import('better-sqlite3');
  const ack = new Int32Array(wd.ack);
  const db = new Database(wd.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(wd.insertSql);
  // The row function generated from columns.ts, compiled once: (r) => [the values in column order].
  const row = (new Function(`return ${wd.rowFactory}`)() as (runId: string) => (r: RequestRecord) => unknown[])(wd.runId);
  const insertMany = db.transaction((rows: RequestRecord[]) => {
    for (let i = 0; i < rows.length; i++) insert.run(row(rows[i]!));
  });
  let open = true;
  port.on('message', (m: StoreWorkerMessage) => {
    try {
      if (m.t === 'rows' && open) insertMany(m.rows);
      else if (m.t === 'close' && open) {
        open = false;
        db.close();
        port.postMessage({ t: 'closed' } satisfies StoreWorkerReply);
      }
    } catch (e) {
      port.postMessage({ t: 'error', message: (e as Error).message } satisfies StoreWorkerReply);
    } finally {
      Atomics.add(ack, 0, 1);
      Atomics.notify(ack, 0);
    }
  });
}
