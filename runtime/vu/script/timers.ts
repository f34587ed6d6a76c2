/** sleep() of `llmperf`, and the VU's setTimeout/clearTimeout: all timed on the host (the sleep binding). */
import type { CoreModule, VuClearTimeout, VuSetTimeout } from './modules.ts';
import type { VuScope } from './scope.ts';

export interface VuTimers {
  sleep: CoreModule['sleep'];
  setTimeout: VuSetTimeout;
  clearTimeout: VuClearTimeout;
}

export function makeTimers(vu: VuScope): VuTimers {
  const H = vu.H;
  let timerSeq = 0;
  const timers = new Set<number>();
  return {
    sleep(seconds) {
      const s = Number(seconds);
      if (!Number.isFinite(s) || s < 0) throw new TypeError('sleep(' + String(seconds) + '): give a number of seconds >= 0');
      return H.sleep(s * 1000);
    },
    setTimeout(fn, ms, ...args) {
      const id = ++timerSeq;
      timers.add(id);
      void H.sleep(Number(ms) || 0).then(() => {
        if (timers.delete(id)) fn(...args);
      });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
  };
}
