// Bundles the VU prelude (runtime/vu/script/index.ts and what it imports) into one IIFE string with
// esbuild. Plain JavaScript so that build.mjs can call it before anything is compiled; prelude.ts
// calls it when running from source. Types: prelude-bundle.d.mts.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./script/index.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function bundlePrelude() {
  const out = await build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    // strict mode: esbuild starts the IIFE with "use strict" as tsconfig.json's `strict` asks
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = out.outputFiles[0];
  if (!js) throw new Error('esbuild produced no prelude');
  return js.text;
}
