/**
 * The contract every streaming output implements (`--out kind=arg`): a SampleListener that is
 * told when the run starts, may be asked to flush, and is closed at the end. Outputs must never
 * block the request path: buffer in onSample/onRecord, write on their own schedule.
 *
 * To add an output kind, write `runtime/outputs/<kind>.ts` exporting an OutputFactory and add one
 * line to OUTPUT_KINDS in runtime/outputs/kinds.ts.
 */
import type { RunStartInfo } from '../engine/run.ts';
import type { SampleListener } from '../engine/emitter.ts';

export interface Output extends SampleListener {
  /** the plan and registry are known, VUs are about to start (samples may arrive before this) */
  start?(info: RunStartInfo): void | Promise<void>;
  /** push what is buffered now (called at the end of the run, before close) */
  flush?(): void | Promise<void>;
  /** flush and release everything; called once */
  close(): Promise<void>;
}

export interface OutputContext {
  /** the run directory, or undefined with --no-save */
  runDir: string | undefined;
  /** warnings and notices (stderr by default) */
  log: (line: string) => void;
}

/** Builds an output from the text after `kind=` in `--out kind=arg` (may be empty). */
export type OutputFactory = (arg: string, ctx: OutputContext) => Output | Promise<Output>;
