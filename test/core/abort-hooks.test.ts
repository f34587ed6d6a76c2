// runtime/abort-hooks.ts: one listener per signal, O(1) add/cancel, each callback at most once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onAbort } from '../../runtime/abort-hooks.ts';

test('callbacks still registered when the signal aborts run once each; cancelled ones never run', () => {
  const ac = new AbortController();
  const ran: number[] = [];
  const cancels = Array.from({ length: 1000 }, (_, i) => onAbort(ac.signal, () => ran.push(i)));
  for (let i = 0; i < 1000; i += 2) cancels[i]!();
  ac.abort();
  ac.abort();
  assert.equal(ran.length, 500);
  assert.ok(ran.every((i) => i % 2 === 1));
  assert.deepEqual(ran, [...ran].sort((a, b) => a - b), 'in registration order');
});

test('a callback may cancel others and itself while the signal aborts; signals are independent', () => {
  const a = new AbortController();
  const b = new AbortController();
  const ran: string[] = [];
  let cancelSecond = (): void => {};
  const cancelFirst = onAbort(a.signal, () => {
    ran.push('a1');
    cancelFirst();
    cancelSecond();
  });
  cancelSecond = onAbort(a.signal, () => ran.push('a2'));
  onAbort(b.signal, () => ran.push('b1'));
  a.abort();
  assert.deepEqual(ran, ['a1']);
  b.abort();
  assert.deepEqual(ran, ['a1', 'b1']);
});
