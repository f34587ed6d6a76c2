// Builds the CLI and the programmatic API into dist/ with esbuild (fast: ~100 ms).
// Dependencies stay external; only our own TypeScript is bundled. The VU prelude (the script API
// that runs inside every isolate, runtime/vu/script/) is bundled first and embedded as a string, so
// that the built CLI never bundles it at run time (runtime/vu/prelude.ts).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { bundlePrelude } from './runtime/vu/prelude-bundle.mjs';

rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true }); // no stale chunks
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
await build({
  // io-worker: the I/O threads' module (runtime/llm/io/worker.ts), loaded by path at run time
  entryPoints: { cli: 'cli/main.ts', index: 'index.ts', 'io-worker': 'runtime/llm/io/worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  splitting: true,
  define: {
    __LLMPERF_VERSION__: JSON.stringify(pkg.version),
    __LLMPERF_PRELUDE__: JSON.stringify(await bundlePrelude()),
    // the live dashboard's page script (runtime/dashboard/page.ts), carried as a string
    __LLMPERF_DASHBOARD_JS__: JSON.stringify(readFileSync(new URL('./runtime/dashboard/page/dashboard.js', import.meta.url), 'utf8')),
  },
  logLevel: 'warning',
});
