/**
 * Watches the client's own delay on open-loop scenarios and says so when it falls behind: the
 * first thing to know before reading latency figures, since lag is time the server never saw.
 * Every check (2 s) looks at the schedule lags and dropped iterations since the previous check and
 * prints one WARN line (at most every 10 s) when p99 lag exceeds the limit or iterations were dropped.
 * Time an arrival spends queued for a free VU (`queue: true`) is not lag: the engine leaves it out of
 * llm_schedule_lag (it is llm_queue_wait), since the user's own maxVUs caps that load, not the client.
 */
export class LagMonitor {
  private lags: number[] = [];
  private dropped = 0;
  private lastWarn = -Infinity;
  /** how many checks found the client behind */
  behind = 0;
  worstP99 = 0;
  /** arrivals dropped over the whole run */
  totalDropped = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly limitMs = 5,
  ) {}

  lag(ms: number): void {
    if (this.lags.length < 50_000) this.lags.push(ms);
  }

  drop(n: number): void {
    this.dropped += n;
    this.totalDropped += n;
  }

  /** Called periodically with the run's elapsed time (ms). */
  check(elapsedMs: number): void {
    const lags = this.lags;
    const dropped = this.dropped;
    this.lags = [];
    this.dropped = 0;
    if (lags.length === 0 && dropped === 0) return;
    lags.sort((a, b) => a - b);
    const p99 = lags.length ? lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.99) - 1)]! : 0;
    if (p99 <= this.limitMs && dropped === 0) return;
    this.behind++;
    this.worstP99 = Math.max(this.worstP99, p99);
    if (elapsedMs - this.lastWarn < 10_000) return;
    this.lastWarn = elapsedMs;
    const parts = [];
    if (p99 > this.limitMs) parts.push(`llm_schedule_lag p99 ${p99.toFixed(1)} ms over the last ${lags.length} starts`);
    if (dropped) parts.push(`${dropped} iteration${dropped === 1 ? '' : 's'} dropped for lack of a free VU (raise maxVUs, or set queue: true to make arrivals wait for one)`);
    this.log(
      `WARN the client is falling behind the arrival schedule: ${parts.join('; ')}. Latencies include this client delay; ` +
        'spread the load over more instances (--execution-segment) or a bigger machine.',
    );
  }

  /** One closing line when the client was behind at some point. */
  final(): string | undefined {
    if (!this.behind) return undefined;
    return `WARN the client fell behind its arrival schedule in ${this.behind} check${this.behind === 1 ? '' : 's'} (worst llm_schedule_lag p99 ${this.worstP99.toFixed(1)} ms): see llm_schedule_lag and dropped_iterations before trusting the latencies`;
  }
}
