/**
 * The output kinds `--out kind[=arg]` accepts, in one map. To add one: write
 * runtime/outputs/<kind>.ts exporting an OutputFactory (see output.ts) and add a line here.
 */
import { ConfigError } from '../errors.ts';
import { suggest } from '../suggest.ts';
import { csvOutput } from './csv.ts';
import { jsonOutput } from './json.ts';
import { prometheusRwOutput } from './prometheus-rw.ts';
import { wandbOutput } from './wandb.ts';
import type { Output, OutputContext, OutputFactory } from './output.ts';

export const OUTPUT_KINDS = {
  json: jsonOutput,
  csv: csvOutput,
  'prometheus-rw': prometheusRwOutput,
  wandb: wandbOutput,
} satisfies Record<string, OutputFactory>;

export interface OutSpec {
  kind: string;
  arg: string;
}

/** "json=points.jsonl" -> { kind: 'json', arg: 'points.jsonl' }; "kind" alone -> arg ''. */
export function parseOutSpec(spec: string): OutSpec {
  const i = spec.indexOf('=');
  const kind = (i < 0 ? spec : spec.slice(0, i)).trim();
  const arg = i < 0 ? '' : spec.slice(i + 1).trim();
  const kinds = Object.keys(OUTPUT_KINDS);
  if (!Object.hasOwn(OUTPUT_KINDS, kind)) {
    throw new ConfigError(`--out ${JSON.stringify(spec)}: unknown output "${kind}"${suggest(kind, kinds)}; use one of ${kinds.join(', ')}, e.g. --out json=points.jsonl`);
  }
  return { kind, arg };
}

/** Creates every output of `specs`; on failure closes those already created and rethrows. */
export async function createOutputs(specs: string[], ctx: OutputContext): Promise<Output[]> {
  const outs: Output[] = [];
  try {
    for (const spec of specs) {
      const { kind, arg } = parseOutSpec(spec);
      const factory: OutputFactory = OUTPUT_KINDS[kind as keyof typeof OUTPUT_KINDS];
      outs.push(await factory(arg, ctx));
    }
  } catch (e) {
    await Promise.allSettled(outs.map((o) => o.close()));
    throw e;
  }
  return outs;
}
