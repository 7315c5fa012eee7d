import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../core/errors.js';
import { createLrSchedule, parseLrSchedule } from './lr-schedule.js';

describe('lr schedules', () => {
  it('parses the four zone-strategy schedules and an explicit factor', () => {
    assert.deepEqual(parseLrSchedule('none'), { kind: 'none' });
    assert.deepEqual(parseLrSchedule('step:7'), { kind: 'step', every: 7, factor: 0.5 });
    assert.deepEqual(parseLrSchedule('plateau:3'), { kind: 'plateau', patience: 3, factor: 0.5 });
    assert.deepEqual(parseLrSchedule('plateau:10'), { kind: 'plateau', patience: 10, factor: 0.5 });
    assert.deepEqual(parseLrSchedule('step:7:0.1'), { kind: 'step', every: 7, factor: 0.1 });
  });

  it('rejects bad strings naming lr_schedule and the value', () => {
    for (const v of ['step', 'step:0', 'step:x', 'plateau:-1', 'cosine:3', 'step:7:1.5', 'step:7:0', 'step:2.5', 'step:7:0.5:1', 42]) {
      assert.throws(
        () => parseLrSchedule(v),
        (e: unknown) => e instanceof InputError && e.message.includes('`lr_schedule`') && e.message.includes(JSON.stringify(v)),
        String(v),
      );
    }
  });

  it('none keeps the lr', () => {
    const s = createLrSchedule('none', 0.01);
    for (let i = 0; i < 20; i++) assert.equal(s.update(Math.random()), 0.01);
  });

  it('step:7 halves after epochs 7, 14, ...', () => {
    const s = createLrSchedule('step:7', 0.008);
    const lrs = Array.from({ length: 15 }, () => s.update(0.9));
    assert.deepEqual(lrs.slice(0, 6), Array(6).fill(0.008));
    assert.equal(lrs[6], 0.004); // after epoch 7
    assert.equal(lrs[12], 0.004);
    assert.equal(lrs[13], 0.002); // after epoch 14
  });

  it('plateau:3 halves after 3 epochs without improvement, then waits again', () => {
    const s = createLrSchedule('plateau:3', 1);
    assert.equal(s.update(0.5), 1); // best 0.5
    assert.equal(s.update(0.6), 1); // best 0.6
    assert.equal(s.update(0.6), 1); // 1 without improvement (equal is no improvement)
    assert.equal(s.update(0.55), 1); // 2
    assert.equal(s.update(0.59), 0.5); // 3 → halve
    assert.equal(s.update(0.58), 0.5);
    assert.equal(s.update(0.61), 0.5); // improvement resets
    assert.equal(s.update(0.1), 0.5);
    assert.equal(s.update(0.1), 0.5);
    assert.equal(s.update(0.1), 0.25);
  });

  it('plateau follows the direction for loss-like metrics', () => {
    const s = createLrSchedule('plateau:2', 1, 'minimize');
    s.update(1.0);
    assert.equal(s.update(0.9), 1);
    assert.equal(s.update(0.95), 1);
    assert.equal(s.update(0.91), 0.5);
  });
});
