/** Field validation for scenario objects: one reader per scenario, errors say scenario, field and fix. */
import { ConfigError } from '../errors.ts';
import { suggest } from '../suggest.ts';
import { parseDuration } from '../options/duration.ts';
import type { ArrivalProcess, FieldReader, Stage } from './types.ts';

export const COMMON_KEYS = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'] as const;

export function fieldReader(scenario: string, raw: Record<string, unknown>): FieldReader {
  const where = (k: string) => `scenarios.${scenario}.${k}`;
  const r: FieldReader = {
    int(key, def, min = 0) {
      const v = raw[key];
      if (v === undefined || v === null) {
        if (def === undefined) throw new ConfigError(`${where(key)} is required (a whole number >= ${min})`);
        return def;
      }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new ConfigError(`${where(key)} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
      return v;
    },
    num(key, def, min = 0) {
      const v = raw[key];
      if (v === undefined || v === null) {
        if (def === undefined) throw new ConfigError(`${where(key)} is required (a number >= ${min})`);
        return def;
      }
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ConfigError(`${where(key)} must be a number >= ${min}, got ${JSON.stringify(v)}`);
      return v;
    },
    duration(key, def) {
      const v = raw[key];
      if (v === undefined || v === null) {
        if (def === undefined) throw new ConfigError(`${where(key)} is required (a duration like "30s" or "1m30s")`);
        return parseDuration(def, where(key));
      }
      if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`${where(key)} must be a duration like "30s", got ${JSON.stringify(v)}`);
      return parseDuration(v, where(key));
    },
    stages(key) {
      const v = raw[key];
      if (!Array.isArray(v) || v.length === 0) throw new ConfigError(`${where(key)} must be a non-empty array of { duration: "30s", target: N }`);
      return v.map((s: unknown, i): Stage => {
        const st = s as { duration?: unknown; target?: unknown };
        if (!st || typeof st !== 'object') throw new ConfigError(`${where(key)}[${i}] must be an object { duration, target }`);
        if (typeof st.target !== 'number' || !Number.isFinite(st.target) || st.target < 0) throw new ConfigError(`${where(key)}[${i}].target must be a number >= 0, got ${JSON.stringify(st.target)}`);
        if (typeof st.duration !== 'string' && typeof st.duration !== 'number') throw new ConfigError(`${where(key)}[${i}].duration must be a duration like "30s"`);
        return { durationMs: parseDuration(st.duration, `${where(key)}[${i}].duration`), target: st.target };
      });
    },
    arrival(): ArrivalProcess {
      const v = raw.arrival;
      if (v === undefined || v === 'constant') return 'constant';
      if (v === 'poisson') return 'poisson';
      if (v && typeof v === 'object' && typeof (v as { gamma?: unknown }).gamma === 'number') {
        const g = (v as { gamma: number }).gamma;
        if (!(g > 0)) throw new ConfigError(`${where('arrival')}.gamma (burstiness) must be > 0: 1 is Poisson, < 1 burstier, > 1 smoother`);
        return { gamma: g };
      }
      throw new ConfigError(`${where('arrival')} must be 'constant', 'poisson' or { gamma: burstiness }, got ${JSON.stringify(v)}`);
    },
    bool(key, def) {
      const v = raw[key];
      if (v === undefined || v === null) return def;
      if (typeof v !== 'boolean') throw new ConfigError(`${where(key)} must be true or false, got ${JSON.stringify(v)}`);
      return v;
    },
    only(keys) {
      const allowed = new Set<string>([...COMMON_KEYS, ...keys]);
      for (const k of Object.keys(raw)) {
        if (!allowed.has(k)) throw new ConfigError(`scenarios.${scenario}: unknown option "${k}" for executor ${String(raw.executor)}${suggest(k, [...allowed])}; valid: ${[...allowed].join(', ')}`);
      }
    },
  };
  return r;
}
