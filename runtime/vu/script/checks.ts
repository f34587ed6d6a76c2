/** check(), group() and fail() of the core module `llmperf` (types/index.d.ts). */
import type { Checker, CheckTags } from '../../../types/index.d.ts';
import { tagsArg } from './args.ts';
import { LlmperfFail } from './errors.ts';
import type { CoreModule } from './modules.ts';
import type { VuScope } from './scope.ts';

export function makeChecks(vu: VuScope): Pick<CoreModule, 'check' | 'group' | 'fail'> {
  const H = vu.H;

  function check<T>(value: T, checks: Record<string, Checker<T>>, tags?: CheckTags): boolean {
    if (checks === null || typeof checks !== 'object') throw new TypeError('check(value, { name: fn }): the second argument must be an object of checks');
    const t = tagsArg(tags, 'check');
    let all = true;
    for (const name of Object.keys(checks)) {
      const c = checks[name];
      let ok: boolean;
      if (typeof c === 'function') {
        try {
          ok = !!c(value);
        } catch {
          ok = false;
        }
      } else ok = !!c;
      H.check(name, ok, t, vu.group);
      if (!ok) all = false;
    }
    return all;
  }

  function group<R>(name: string, fn: () => R): R {
    if (typeof fn !== 'function') throw new TypeError('group(name, fn): fn must be a function');
    const prev = vu.group;
    vu.group = prev + '::' + String(name);
    let r: R;
    try {
      r = fn();
    } catch (e) {
      vu.group = prev;
      throw e;
    }
    if (isThenable(r)) {
      return r.finally(() => {
        vu.group = prev;
      }) as R;
    }
    vu.group = prev;
    return r;
  }

  function fail(msg?: string): never {
    throw new LlmperfFail(msg === undefined ? 'fail() called' : String(msg));
  }

  return { check, group, fail };
}

function isThenable(r: unknown): r is Promise<unknown> {
  return !!r && typeof (r as { then?: unknown }).then === 'function';
}
