/** setup() data passed between instances through a file (scale-out with --setup-once). */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.ts';

/** Writes atomically (temp file + rename) so a reader never sees half a file. */
export function writeSetupData(file: string, json: string | undefined): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ setupData: json ?? null }));
  renameSync(tmp, file);
}

/** Reads setup() data, waiting up to waitMs for another instance to write it. */
export async function readSetupData(file: string, waitMs: number, signal?: { readonly aborted: boolean }): Promise<string | undefined> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 >= waitMs || signal?.aborted) {
      throw new ConfigError(`setup data file ${file} ${waitMs ? `did not appear within ${waitMs / 1000}s (the instance running segment 0 writes it)` : 'does not exist'}: check --setup-data`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as { setupData: string | null };
    return v.setupData ?? undefined;
  } catch (e) {
    throw new ConfigError(`setup data file ${file} is not valid: ${(e as Error).message}`);
  }
}
