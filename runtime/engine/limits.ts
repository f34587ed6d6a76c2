/**
 * Sizes refused before anything starts, with a message that says what to change (exit 104):
 *  - the isolate flags (--isolate-memory, --vus-per-isolate, --vus-per-context, --init-timeout):
 *    whole numbers in range;
 *  - VU counts this machine cannot hold: the scenarios' VUs (the sum of their maxVUs, all created
 *    for the run) at VU_BYTES each (VU_BYTES_SHARED when --vus-per-context > 1) plus
 *    ISOLATE_BYTES per isolate must fit in MEMORY_SHARE of the memory (the cgroup limit when there
 *    is one): `vus: 1e9` once grew by 330 MB/s until the machine gave out;
 *  - arrival rates beyond MAX_RATE_PER_CORE iterations per second per core (the sum of the
 *    scenarios' peak rates): `rate: 1e9` once kept the main thread busy for good, signals unheard.
 * Split a bigger test over instances with --execution-segment (docs/distributed.md).
 */
import { availableParallelism, totalmem } from 'node:os';
import { ConfigError } from '../errors.ts';
import type { ScenarioConfig, ExecutionPlan } from '../executors/index.ts';

export const VU_BYTES = 160 * 1024;
export const VU_BYTES_SHARED = 64 * 1024;
export const ISOLATE_BYTES = 2 * 1024 * 1024;
export const MEMORY_SHARE = 0.8;
export const MAX_RATE_PER_CORE = 25_000;
/** --isolate-memory bounds, MB (isolated-vm's floor is 8) */
export const ISOLATE_MEMORY_MIN_MB = 8;
export const ISOLATE_MEMORY_MAX_MB = 64 * 1024;

export interface IsolateSizing {
  isolateMemoryMb?: number | undefined;
  vusPerIsolate?: number | undefined;
  vusPerContext?: number | undefined;
  initTimeoutMs?: number | undefined;
}

/** The isolate flags as given (undefined: the default). Throws ConfigError naming the flag. */
export function checkIsolateSizing(o: IsolateSizing): void {
  const whole = (v: number | undefined, flag: string, min: number, max: number, unit = '') => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${flag} ${String(v)}: give a whole number${unit} from ${min} to ${max}`, 'INVALID_FLAG');
  };
  whole(o.isolateMemoryMb, '--isolate-memory', ISOLATE_MEMORY_MIN_MB, ISOLATE_MEMORY_MAX_MB, ' of MB');
  whole(o.vusPerIsolate, '--vus-per-isolate', 1, 100_000);
  whole(o.vusPerContext, '--vus-per-context', 1, 100_000);
  if (o.initTimeoutMs !== undefined && !(Number.isFinite(o.initTimeoutMs) && o.initTimeoutMs > 0)) throw new ConfigError(`--init-timeout: give a duration longer than 0, e.g. 60s`, 'INVALID_FLAG');
}

/** The memory this process may use: the cgroup limit when there is one, else the machine's. */
export function machineMemory(): number {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const total = totalmem();
  return constrained && constrained > 0 && constrained < total ? constrained : total;
}

/** Peak iterations per second of an arrival-rate scenario (0 for the others). */
export function peakRatePerSecond(c: ScenarioConfig): number {
  if (c.executor === 'constant-arrival-rate') return (c.rate * 1000) / c.timeUnitMs;
  if (c.executor === 'ramping-arrival-rate') return (Math.max(c.startRate, ...c.stages.map((s) => s.target)) * 1000) / c.timeUnitMs;
  return 0;
}

const GiB = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GiB`;

/** Refuses VU counts and rates this machine cannot run (see the top of this file). */
export function checkMachineLimits(
  plans: ReadonlyArray<{ scenario: ScenarioConfig; plan: ExecutionPlan }>,
  o: IsolateSizing,
  machine = { memoryBytes: machineMemory(), cores: availableParallelism() },
): void {
  const vus = plans.reduce((a, p) => a + p.plan.maxVUs, 0);
  const shared = (o.vusPerContext ?? 1) > 1;
  const perIsolate = Math.max(1, o.vusPerIsolate ?? 32, o.vusPerContext ?? 1);
  const need = vus * (shared ? VU_BYTES_SHARED : VU_BYTES) + Math.ceil(vus / perIsolate) * ISOLATE_BYTES;
  const have = machine.memoryBytes * MEMORY_SHARE;
  if (!Number.isFinite(vus) || need > have) {
    const fit = Math.floor(have / ((shared ? VU_BYTES_SHARED : VU_BYTES) + ISOLATE_BYTES / perIsolate));
    throw new ConfigError(
      `the scenarios need up to ${vus.toLocaleString('en-US')} VUs, about ${GiB(need)} of memory; this machine has ${GiB(machine.memoryBytes)}, enough for about ${fit.toLocaleString('en-US')}. ` +
        `Lower vus / maxVUs${shared ? '' : ', let VUs share contexts (--vus-per-context 16 --vus-per-isolate 512)'}, or split the test over instances with --execution-segment`,
      'TOO_MANY_VUS',
    );
  }
  const rate = plans.reduce((a, p) => a + peakRatePerSecond(p.scenario), 0);
  const maxRate = MAX_RATE_PER_CORE * Math.max(1, machine.cores);
  if (!Number.isFinite(rate) || rate > maxRate) {
    throw new ConfigError(
      `the scenarios start up to ${rate.toLocaleString('en-US', { maximumFractionDigits: 1 })} iterations per second; one llmperf instance on ${machine.cores} core${machine.cores === 1 ? '' : 's'} starts at most ${maxRate.toLocaleString('en-US')} (${MAX_RATE_PER_CORE.toLocaleString('en-US')} per core). ` +
        'Lower rate (or check timeUnit), or split the test over instances with --execution-segment',
      'RATE_TOO_HIGH',
    );
  }
}
