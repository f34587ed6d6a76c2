/**
 * The body of the SQLite writer thread (see store.ts). It runs from its source text
 * (`eval` worker), so it must be self-contained: no imports, everything through `req`.
 * Messages: { t: 'rows', rows: RequestRecord[] } | { t: 'close' }. After handling each message it
 * increments the shared counter `ack[0]` so the main thread can wait for it synchronously.
 */
import type { RequestRecord } from '../llm/types.ts';

export interface StoreWorkerData {
  file: string;
  runId: string;
  sqlitePath: string;
  columns: string[];
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
  const insert = db.prepare(`INSERT INTO requests (${wd.columns.join(', ')}) VALUES (${wd.columns.map(() => '?').join(', ')})`);
  const runId = wd.runId;
  // ITL gaps in ms rounded to the µs, as JSON. Written from the integer µs (whole ms, then the
  // fraction padded to 3 digits: "10.010" reads back as 10.01): twice as fast as formatting each
  // rounded double, and this runs for every gap of every request.
  const itlJson = (a: number[]): string => {
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
  };
  // In the order of store.ts COLUMNS.
  const params = (r: RequestRecord) => [
    runId, r.id, r.scenario, r.vu, r.iter, r.api, r.model, r.url, r.plannedStart, r.start, r.startWall, r.startMono,
    r.ttfb, r.ttft, r.e2e, r.tpot, itlJson(r.itl), r.chunks, r.inputTokens, r.outputTokens, r.inputTokenSource, r.outputTokenSource,
    r.status, r.ok ? 1 : 0, r.errorCode, r.errorMessage, r.finishReason, r.bytesSent, r.bytesReceived, r.good === null ? null : r.good ? 1 : 0,
    JSON.stringify(r.tags), r.requestBody, r.responseText,
  ];
  const insertMany = db.transaction((rows: RequestRecord[]) => {
    for (let i = 0; i < rows.length; i++) insert.run(params(rows[i]!));
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
