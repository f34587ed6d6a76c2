/**
 * Process exit codes, in one place. The numbers follow k6 where k6 has one, so CI scripts written for
 * k6 read ours the same way. The public declaration (types/run.d.ts) is the type; this is its value.
 */
import type { ExitCode as PublicExitCode, ExitCodeValue } from '../types/run.d.ts';

export type { ExitCodeValue };

export const ExitCode: typeof PublicExitCode = {
  /** The run completed and every threshold passed. */
  OK: 0,
  /** Generic failure that fits no other code (a bug, an unexpected host error). */
  GENERIC: 1,
  /** `llmperf compare --fail-on-regression`: a figure regressed by more than allowed. */
  REGRESSION: 2,
  /** At least one threshold failed (also when `abortOnFail` stopped the run early). */
  THRESHOLDS_FAILED: 99,
  /**
   * The test could not start: the target could not be reached (connection probe failed; llmperf's
   * own use), or setup() ran past setupTimeout (k6's SetupTimeout, the same number, so k6 CI scripts
   * read it the same way). The message on stderr says which.
   */
  TARGET_UNREACHABLE: 100,
  /** setup() ran past options.setupTimeout, awaited work included (k6's 100). */
  SETUP_TIMEOUT: 100,
  /** teardown() ran past options.teardownTimeout (k6's 101); the summary and results are still written. */
  TEARDOWN_TIMEOUT: 101,
  /** Invalid configuration: bad options, unknown executor, bad duration, threshold grammar, bad flags, missing files. */
  INVALID_CONFIG: 104,
  /** Interrupted by SIGINT/SIGTERM; what had been collected was saved. */
  INTERRUPTED: 105,
  /** The script failed: syntax error, forbidden import, exception in init code, setup() or teardown(). */
  SCRIPT_ERROR: 107,
  /** The script aborted the run with `test.abort()` / `exec.test.abort()`. */
  SCRIPT_ABORTED: 108,
};
