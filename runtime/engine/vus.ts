/** Creates, initialises and disposes VUs; maps init-time failures to ScriptError with the user's position. */
import type { PositionMapper } from '../bundle/sourcemap.ts';
import { ConfigError, ScriptError } from '../errors.ts';
import type { IsolatePool } from '../vu/isolates.ts';
import { VU, type VuServices } from '../vu/vu.ts';

export class VuFactory {
  private nextId = 0;
  readonly all: VU[] = [];
  initialised = 0;
  constructor(
    private readonly pool: IsolatePool,
    private readonly services: VuServices,
    private readonly env: Record<string, string>,
    private readonly mapper: PositionMapper,
    private readonly setupData: () => string | undefined,
    private readonly initTimeoutMs = 60_000,
  ) {}

  /** A VU with init code run (id 0 is the probe/setup VU, not counted as a test VU). */
  async create(probe = false, scenarioEnv?: Record<string, string>): Promise<VU> {
    const id = probe ? 0 : ++this.nextId;
    let vu: VU;
    try {
      const env = scenarioEnv && Object.keys(scenarioEnv).length ? { ...this.env, ...scenarioEnv } : this.env;
      vu = await VU.create(id, this.pool, this.services, env, this.initTimeoutMs);
    } catch (e) {
      throw this.initError(e);
    }
    if (!probe) {
      await vu.endInit(this.setupData());
      this.all.push(vu);
      this.initialised++;
    }
    return vu;
  }

  /**
   * Creates n VUs, a few at a time (VU init is CPU-bound); stops early once `stop()` says so (a
   * signal, test.abort() in setup()): the run then stops before any iteration, with its summary.
   */
  async createMany(n: number, scenarioEnv?: Record<string, string>, stop: () => boolean = () => false): Promise<VU[]> {
    const out: VU[] = [];
    const batch = 8;
    for (let i = 0; i < n && !stop(); i += batch) {
      out.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => this.create(false, scenarioEnv)))));
    }
    return out;
  }

  initError(e: unknown): ScriptError | ConfigError {
    const err = e as Error;
    const stack = String(err?.stack ?? err);
    const pos = this.mapper.firstPosition(stack);
    const msg = err?.message ?? String(e);
    // a bad data file or option met by a host service: a configuration error (exit 104), not a script bug
    const hostErr = (this.services as { hostConfigErrors?: ConfigError[] }).hostConfigErrors?.find((c) => msg.includes(c.message));
    if (hostErr) return new ConfigError(`${pos ? pos + ': ' : ''}${hostErr.message}`, hostErr.code);
    if (/memory limit/i.test(msg)) return new ScriptError(`the script's init code exceeded the isolate memory limit${pos ? ` at ${pos}` : ''}: ${msg} (raise --isolate-memory or load less data per VU)`, 'SCRIPT_OOM');
    if (/timed out/i.test(msg)) return new ScriptError(`the script's init code did not finish within ${this.initTimeoutMs / 1000}s${pos ? ` at ${pos}` : ''} (an endless loop at the top level?): ${msg}`, 'SCRIPT_TIMEOUT');
    return new ScriptError(`${pos ? pos + ': ' : ''}error in init code: ${msg}${pos ? '' : '\n' + this.mapper.mapStack(stack)}`, 'SCRIPT_INIT_ERROR');
  }

  dispose(): void {
    for (const v of this.all) v.dispose();
  }
}
