/**
 * One VU's state on the VU side, shared by the modules of its script API. Every VU has its own,
 * also when several VUs share a context (--vus-per-context).
 */
import type { VuHost } from '../bindings.ts';
import type { IterationInfo } from '../protocol.ts';

export interface VuScope {
  readonly id: number;
  /** the host functions (host.ts) */
  readonly H: VuHost;
  /** true while init code runs: open(), datasets and new metrics are allowed only then */
  initPhase: boolean;
  /** the current group: '' or '::outer::inner' */
  group: string;
  /** this VU's iterations so far (__ITER) */
  iter: number;
  /** the current iteration (exec.*) */
  info: IterationInfo;
}

/** What exec.* reads before the first iteration (init code, setup): no scenario yet. */
export function initInfo(): IterationInfo {
  // executor: '' in init code, which the public union does not name
  return { exec: '', iter: 0, scenario: '', executor: '' as IterationInfo['executor'], iterInScenario: 0, iterInTest: 0, scenarioStartTime: 0, scenarioTags: {} };
}
