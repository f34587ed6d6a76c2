/**
 * Abort callbacks for the per-request and per-iteration paths. AbortSignal's own
 * addEventListener/removeEventListener walk the signal's listener list (to refuse duplicates and
 * to find the one to remove), so with N requests in flight on the run's one stop signal each
 * request paid O(N) twice. Here a signal gets one listener, which calls the callbacks of a Set:
 * adding and removing one is O(1).
 */
const hooks = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `fn` once when `signal` aborts; returns the function that cancels it. Call only on a signal that has not aborted. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let set = hooks.get(signal);
  if (!set) {
    const s = new Set<() => void>();
    set = s;
    hooks.set(signal, s);
    signal.addEventListener(
      'abort',
      () => {
        hooks.delete(signal);
        for (const f of s) f();
        s.clear();
      },
      { once: true },
    );
  }
  const s = set;
  s.add(fn);
  return () => s.delete(fn);
}
