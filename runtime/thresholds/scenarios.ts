/**
 * Thresholds that name a scenario (`llm_ttft{scenario:open}`) must name one the run has: a
 * sub-metric of a scenario that never runs gets no sample, and an empty trend passes `p(95)<500`
 * (k6's rule), so a wrong name would pass silently. Before the thresholds are compiled:
 *
 *  - the scenario exists: the threshold stays as written;
 *  - the run's scenarios were replaced (a shortcut on the command line or in the environment,
 *    `-u 3 -d 3s`, or a sweep/capacity level) and one scenario is left: the threshold is re-bound to
 *    it (`llm_ttft{scenario:default}`), and a notice says so;
 *  - otherwise: an error (exit 104) naming the scenarios there are, with a "did you mean".
 *
 * Thresholds re-bound onto the same selector are merged (their expressions all apply).
 */
import { ConfigError } from '../errors.ts';
import { formatSelector, parseSelector } from '../metrics/expression.ts';
import { suggest } from '../suggest.ts';

export interface ScenarioBinding {
  /** the thresholds to compile */
  thresholds: Record<string, unknown>;
  /** one line per re-bound selector */
  notices: string[];
}

/**
 * `replacedBy`: what replaced the script's scenarios (for the notice), or null when they are the
 * script's (or config file's) own.
 */
export function bindScenarioThresholds(thresholds: Record<string, unknown>, scenarios: readonly string[], replacedBy: string | null): ScenarioBinding {
  const out: Record<string, unknown> = {};
  const notices: string[] = [];
  const errors: string[] = [];
  const put = (key: string, v: unknown) => {
    out[key] = key in out ? [...asList(out[key]), ...asList(v)] : v;
  };
  for (const [key, v] of Object.entries(thresholds)) {
    let parts;
    try {
      parts = parseSelector(key);
    } catch {
      put(key, v); // compileThresholds reports the syntax error
      continue;
    }
    const tag = parts.tags.find(([k]) => k === 'scenario');
    if (!tag || scenarios.includes(tag[1])) {
      put(key, v);
      continue;
    }
    const only = scenarios.length === 1 ? scenarios[0]! : undefined;
    if (replacedBy && only !== undefined) {
      const to = formatSelector({ metric: parts.metric, tags: parts.tags.map(([k, x]) => [k, k === 'scenario' ? only : x] as [string, string]) });
      notices.push(`NOTE threshold on ${key} applies to ${to}: ${replacedBy} replaced the script's scenarios by "${only}"`);
      put(to, v);
      continue;
    }
    const have = scenarios.map((s) => JSON.stringify(s)).join(', ');
    errors.push(
      `thresholds[${JSON.stringify(key)}]: this run has no scenario ${JSON.stringify(tag[1])}${suggest(tag[1], [...scenarios])} (its scenarios: ${have || 'none'})` +
        (replacedBy ? ` — ${replacedBy} replaced the script's scenarios: write the threshold for one of them, or drop the scenario tag` : ' — a threshold on a scenario that never runs would pass without a sample'),
    );
  }
  if (errors.length === 1) throw new ConfigError(errors[0]!, 'INVALID_THRESHOLD');
  if (errors.length > 1) throw new ConfigError(`${errors.length} thresholds name scenarios this run does not have:\n  ${errors.join('\n  ')}`, 'INVALID_THRESHOLD');
  return { thresholds: out, notices };
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}
