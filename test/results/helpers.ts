/** Helpers of the results tests: a small chat script, polling, opening the store read-only. */
import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** A chat script: `iterations` shared among 4 VUs in scenario "main", or a 60 s constant-vus run when iterations is 0. */
export function chatScript(iterations: number): string {
  const scenario = iterations > 0
    ? `{ executor: 'shared-iterations', vus: 4, iterations: ${iterations}, maxDuration: '60s' }`
    : `{ executor: 'constant-vus', vus: 4, duration: '60s', gracefulStop: '30s' }`;
  return `import llm from 'llmperf/llm';
export const options = { scenarios: { main: ${scenario} } };
export default async function () {
  await llm.chat({ messages: [{ role: 'user', content: 'Say something.' }], max_tokens: 16 });
}
`;
}

export const FAST_MOCK = ['--mock', 'ttft=20ms', '--mock', 'itl=2ms', '--mock', 'output-tokens=16'];

export function waitFor(pred: () => boolean, ms: number, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const i = setInterval(() => {
      let ok = false;
      try {
        ok = pred();
      } catch {
        ok = false;
      }
      if (ok) {
        clearInterval(i);
        resolve();
      } else if (Date.now() - t0 > ms) {
        clearInterval(i);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 50);
  });
}

export function withDb<T>(file: string, f: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return f(db);
  } finally {
    db.close();
  }
}

export function countRows(file: string): number {
  if (!existsSync(file)) return 0;
  return withDb(file, (db) => (db.prepare('SELECT count(*) AS n FROM requests').get() as { n: number }).n);
}

/** The only run directory under <cwd>/llmperf-results. */
export function onlyRunDir(cwd: string): string {
  const root = path.join(cwd, 'llmperf-results');
  const dirs = readdirSync(root);
  if (dirs.length !== 1) throw new Error(`expected one run directory in ${root}, found ${dirs.join(', ') || 'none'}`);
  return path.join(root, dirs[0]!);
}
