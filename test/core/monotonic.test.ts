// The offset between a thread's performance.now() and CLOCK_MONOTONIC (runtime/monotonic.ts): it
// converts the I/O threads' times into the main thread's and a request's start into a mock trace's,
// for the whole run, so a preemption between its two readings must not skew it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monotonicOffset } from '../../runtime/monotonic.ts';

/** Replaces both clocks with one scripted clock: true offset 1000 ms, and the given stalls (ms) spent right after each hrtime reading. */
function scripted(stalls: number[], fn: () => number): number {
  const realNow = performance.now;
  const realHr = process.hrtime.bigint;
  let t = 50; // performance.now() time; CLOCK_MONOTONIC = t + 1000
  let reading = 0;
  performance.now = () => (t += 0.001);
  process.hrtime.bigint = () => {
    const mono = BigInt(Math.round((t + 1000) * 1e6));
    t += stalls[reading++] ?? 0;
    return mono;
  };
  try {
    return fn();
  } finally {
    performance.now = realNow;
    process.hrtime.bigint = realHr;
  }
}

test('a thread preempted between the two readings: the tightest bracket still gives the true offset', () => {
  // the first three readings wait 2 ms, 0.5 ms and 3 ms (another thread had the core); the fourth does not
  const off = scripted([2, 0.5, 3, 0, 0, 0], monotonicOffset);
  assert.ok(Math.abs(off - 1000) < 0.01, `offset ${off}`);
  // a single reading would have been 2 ms off
  const naive = scripted([2], () => Number(process.hrtime.bigint()) / 1e6 - performance.now());
  assert.ok(Math.abs(naive - 1000) > 1.9, `naive ${naive}`);
});

test('on the real clocks: the same offset on every call, to a few µs', () => {
  const a = monotonicOffset();
  const b = monotonicOffset();
  assert.ok(Math.abs(a - b) < 0.5, `${a} vs ${b}`);
  assert.ok(Math.abs(a - (Number(process.hrtime.bigint()) / 1e6 - performance.now())) < 50);
});
