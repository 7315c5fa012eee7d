import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GpuSlots } from './gpu-slots.js';

describe('GpuSlots', () => {
  it('spreads over the least loaded GPU, caps perGpu, and serves waiters in order', async () => {
    const slots = new GpuSlots(['0', '1'], 2);
    const signal = new AbortController().signal;
    const got = [await slots.acquire(signal), await slots.acquire(signal), await slots.acquire(signal), await slots.acquire(signal)];
    assert.deepEqual(got, ['0', '1', '0', '1']);
    const order: (string | null)[] = [];
    const w1 = slots.acquire(signal).then((g) => order.push(g));
    const w2 = slots.acquire(signal).then((g) => order.push(g));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(order, []);
    slots.release('1');
    await w1;
    assert.deepEqual(order, ['1']);
    slots.release('0');
    await w2;
    assert.deepEqual(order, ['1', '0']);
    assert.deepEqual([...slots.usage()], [['0', 2], ['1', 2]]);
  });

  it('drops a waiter whose signal aborts', async () => {
    const slots = new GpuSlots(['0'], 1);
    const ac = new AbortController();
    assert.equal(await slots.acquire(ac.signal), '0');
    const waiting = slots.acquire(ac.signal);
    ac.abort();
    assert.equal(await waiting, null);
    slots.release('0');
    assert.deepEqual([...slots.usage()], [['0', 0]]);
  });
});
