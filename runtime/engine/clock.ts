/** Precise sleeping against the run's monotonic clock. */
import { onAbort } from '../abort-hooks.ts';

/**
 * Sleeps until `t` ms since run start, precisely: a timer for the bulk, then setImmediate turns for
 * the last ~1.5 ms (timers fire up to a millisecond late). Resolves false when `signal` aborts.
 */
export function sleepUntil(now: () => number, t: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  const remaining = t - now();
  if (remaining <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const cancel = onAbort(signal, () => {
      if (timer) clearTimeout(timer);
      resolve(false);
    });
    const spin = () => {
      if (signal.aborted) return;
      if (now() >= t) {
        cancel();
        resolve(true);
      } else setImmediate(spin);
    };
    const rem = t - now();
    if (rem > 2) timer = setTimeout(spin, rem - 1.5);
    else setImmediate(spin);
  });
}
