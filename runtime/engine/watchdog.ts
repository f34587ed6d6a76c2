/**
 * The stuck-iteration watchdog. isolated-vm's call timeout covers only the synchronous part of a
 * call; an async iteration that loops after an `await` would hold its isolate's thread forever. So
 * every 500 ms the CPU time of each isolate is compared with the wall time: an isolate that has been
 * busy without pause for longer than the limit is disposed (its VUs are rebuilt by the engine).
 * This matters with --isolate-threads; inline (the default), every entry into a VU already carries
 * the limit as its timeout, and the watchdog is a second line.
 */
import type { IsolatePool } from '../vu/isolates.ts';

export class CpuWatchdog {
  private readonly watch = new Map<number, { cpu: number; busySince: number | null }>();
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: IsolatePool,
    readonly limitMs: number,
  ) {}

  start(): void {
    this.last = performance.now();
    this.timer = setInterval(() => this.check(), 500);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private check(): void {
    const t = performance.now();
    const wall = t - this.last;
    this.last = t;
    for (const slot of this.pool.live()) {
      const cpu = slot.cpuMs();
      const w = this.watch.get(slot.id) ?? { cpu, busySince: null };
      const busy = cpu - w.cpu > wall * 0.8;
      w.busySince = busy ? (w.busySince ?? t - wall) : null;
      w.cpu = cpu;
      this.watch.set(slot.id, w);
      if (w.busySince !== null && t - w.busySince > this.limitMs) {
        slot.disposeAsStuck();
      }
    }
  }
}
