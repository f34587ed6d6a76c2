/**
 * Abort callbacks for the per-request and per-iteration paths, and nextTurn for host calls that
 * end at once. AbortSignal's own addEventListener/removeEventListener walk the signal's listener
 * list (to refuse duplicates and to find the one to remove), so with N requests in flight on the
 * run's one stop signal each
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

/**
 * `v`, on the next turn of the event loop. Host calls that a VU awaits must not settle in the same
 * turn they were made (a cancelled request, sleep(0)): inline, the VU's code then runs on in a
 * microtask, and a loop of such calls would starve the event loop (timers, sockets, the run's stop).
 */
export function nextTurn<T>(v: T): Promise<T> {
  return new Promise((resolve) => setImmediate(resolve, v));
}

/** Resolves after `ms`, or at once when `signal` aborts (whichever comes first). */
export function sleepFor(ms: number, signal?: { readonly aborted: boolean; addEventListener(t: 'abort', f: () => void, o?: { once?: boolean }): void; removeEventListener?(t: 'abort', f: () => void): void }): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener?.('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
