import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rungStepsOf } from './rungs.js';
import { SuccessiveHalvingScheduler } from '../schedulers/successive-halving.js';
import { HyperbandScheduler } from '../schedulers/hyperband.js';

/** The rungs as the scheduler classes define them (what rungStepsOf must agree with, without building one). */
function shRungs(sc: SuccessiveHalvingScheduler, budget: number | null): number[] {
  const max = budget ?? sc.rungStep(8);
  const out: number[] = [];
  for (let k = 0; sc.rungStep(k) <= max; k++) out.push(sc.rungStep(k));
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

test('rung steps are a pure function of the scheduler spec, equal to what the schedulers use', () => {
  assert.equal(rungStepsOf(undefined, 10), null);
  assert.equal(rungStepsOf({ type: 'median' }, 10), null);
  assert.deepEqual(rungStepsOf({ type: 'asha' }, 9), [1, 3, 9]);
  assert.deepEqual(rungStepsOf({ type: 'asha' }, 10), [1, 3, 9, 10]);
  assert.deepEqual(rungStepsOf({ type: 'hyperband', min_resource: 1, reduction_factor: 3 }, 27), [1, 3, 9, 27]);
  for (const min of [1, 2, 3]) {
    for (const eta of [2, 3, 4]) {
      for (const s of [0, 1]) {
        for (const budget of [null, 5, 16, 81]) {
          const spec = { type: 'successive-halving' as const, min_resource: min, reduction_factor: eta, min_early_stopping_rate: s };
          const cls = new SuccessiveHalvingScheduler({ minResource: min, reductionFactor: eta, minEarlyStoppingRate: s });
          assert.deepEqual(rungStepsOf(spec, budget), shRungs(cls, budget), JSON.stringify({ spec, budget }));
        }
        for (const max of [min, 10, 27, 100]) {
          const hb = new HyperbandScheduler({ minResource: min, maxResource: max, reductionFactor: eta, studyName: 's' });
          assert.deepEqual(rungStepsOf({ type: 'hyperband', min_resource: min, max_resource: max, reduction_factor: eta }, null), hb.rungSteps());
        }
      }
    }
  }
});
