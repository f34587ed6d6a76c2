/**
 * setup() and teardown() under their time limits (options.setupTimeout / teardownTimeout), the
 * awaited work included. The VU's own timeout only stops code that holds the CPU; a setup() that
 * awaits (a request, sleep()) would otherwise run on past its limit. Here the call races a timer:
 * when the timer wins, the call is abandoned (its result is ignored, the run's end disposes its
 * isolate) and the caller gets a LifecycleTimeout, as k6 does:
 *
 *   setup() past setupTimeout        -> the run does not start: exit 100 (k6's SetupTimeout)
 *   teardown() past teardownTimeout  -> the summary is still written: exit 101 (k6's TeardownTimeout)
 */
import { LlmperfError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { VU } from '../vu/vu.ts';

type CallOutcome = Awaited<ReturnType<VU['call']>>;

export class LifecycleTimeout extends LlmperfError {
  constructor(
    readonly fn: 'setup' | 'teardown',
    readonly timeoutMs: number,
  ) {
    super(
      fn === 'setup' ? 'SETUP_TIMEOUT' : 'TEARDOWN_TIMEOUT',
      `${fn}() execution timed out after ${fmtSeconds(timeoutMs)}: raise options.${fn}Timeout (e.g. ${fn}Timeout: '${Math.max(2, Math.ceil((timeoutMs * 2) / 1000))}s') or make ${fn}() do less`,
      fn === 'setup' ? ExitCode.SETUP_TIMEOUT : ExitCode.TEARDOWN_TIMEOUT,
    );
    this.name = 'LifecycleTimeout';
  }
}

/**
 * Calls setup() or teardown() in the probe VU, bounded by `timeoutMs` (0: no limit) from the call
 * to its settled promise. Rejects with LifecycleTimeout when the limit passes first.
 */
export function callLifecycle(vu: Pick<VU, 'call'>, fn: 'setup' | 'teardown', arg: string | undefined, timeoutMs: number): Promise<CallOutcome> {
  const call = vu.call(fn, arg, timeoutMs || undefined);
  if (!(timeoutMs > 0)) return call;
  return new Promise<CallOutcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      call.catch(() => undefined); // abandoned: whatever it does later is ignored
      reject(new LifecycleTimeout(fn, timeoutMs));
    }, timeoutMs);
    call.then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * callLifecycle for the engine: a failure other than the timeout (the VU crashed) comes back as a
 * failed outcome, as an exception thrown by the function would; the timeout rejects.
 */
export async function runLifecycle(vu: Pick<VU, 'call'>, fn: 'setup' | 'teardown', arg: string | undefined, timeoutMs: number): Promise<CallOutcome> {
  try {
    return await callLifecycle(vu, fn, arg, timeoutMs);
  } catch (e) {
    if (e instanceof LifecycleTimeout) throw e;
    const err = e as Error;
    return { ok: false, error: { message: err?.message ?? String(e), stack: String(err?.stack), name: err?.name ?? 'Error', kind: 'exception' } };
  }
}

/** For teardown(): a timeout becomes a failed outcome (logged as an error) and is reported to `onTimeout`; other errors rethrow. */
export function timedOut(e: unknown, onTimeout: (t: LifecycleTimeout) => void): CallOutcome {
  if (!(e instanceof LifecycleTimeout)) throw e;
  onTimeout(e);
  // logged by the caller as "teardown() failed: execution timed out after ..."
  return { ok: false, error: { message: e.message.replace(/^\w+\(\) /, ''), stack: '', name: e.name, kind: 'exception' } };
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} seconds` : `${(ms / 1000).toFixed(1)} seconds`;
}
