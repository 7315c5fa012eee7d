import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { gridSampler } from '../samplers/grid.js';
import { Space } from '../space/space.js';
import { runWorker } from '../study/engine.js';
import { objectiveRunner } from '../study/objective-runner.js';
import { FeatureEncoder } from '../controller/features.js';
import { MODEL_FORMAT, Surrogate } from '../controller/surrogate.js';
import { CurveExtrapolationScheduler, type StopReason } from './curve-extrapolation.js';
import { SimulatedStudy } from './simulate.js';

// x = 4 (the best) comes first in the grid: every later trial meets an incumbent.
const space = Space.fromSpec({ x: { type: 'categorical', choices: [4, 1, 2, 3] }, y: { type: 'series', values: [10, 20] } });

/** A hand-set model: "the final value is the last value seen", with a standard deviation of 0.01 (0.1 yStd). */
function lastValueModel(): Surrogate {
  const enc = new FeatureEncoder(space, [], 'maximize', 0.3, 0.1);
  const n = enc.columns.length;
  const raw = Math.log(Math.expm1(0.01 - 1e-4)); // softplus(raw) + 1e-4 = 0.01 = (0.1)² in standardised units
  return new Surrogate({
    format: MODEL_FORMAT, encoder: enc.toJSON(), checkpoints: [0.2, 0.4, 0.6, 0.8],
    ensemble: {
      xMean: new Array(n).fill(0), xStd: new Array(n).fill(1), members: [{ layers: [{ inputs: n, outputs: 2, w: new Array(n * 2).fill(0), b: [0, raw] }] }],
    },
    training: { examples: 0, rows: 0, groups: [], seconds: 0, options: {}, validation: null },
  });
}

test('stops a trial confidently worse than the incumbent, and stores why in its attrs', async () => {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const runner = objectiveRunner(async (trial) => {
    const v = (trial.params.x as number) / 10;
    for (let s = 1; s <= 5; s++) await trial.report(s, v);
    return v;
  }, 'acc');
  const scheduler = new CurveExtrapolationScheduler({ model: lastValueModel() });
  const sum = await runWorker({
    seed: 1, budget: 5, maxAttempts: 3, heartbeatMs: 50, storage, study, space, sampler: gridSampler({ seeds: [1], budget: 5 }), runner, scheduler, workerId: 'w', parallel: 1,
  });
  const trials = await storage.listTrials(study.id);
  const firstFull = trials.findIndex((t) => t.params.x === 4);
  // Before the x = 4 trial completes nothing better than the current trial is known: every trial up to it completes.
  assert.ok(trials.slice(0, firstFull + 1).every((t) => t.state === 'complete'));
  const later = trials.slice(firstFull + 1);
  for (const t of later) {
    if (t.params.x === 4) { assert.equal(t.state, 'complete'); continue; } // a tie: P(better) = 0.5
    assert.equal(t.state, 'pruned');
    assert.equal(t.steps.length, 1, 'stopped at the first checkpoint');
    const r = t.attrs['controller.stop'] as StopReason;
    assert.equal(r.step, 1);
    assert.equal(r.incumbent, 0.4);
    assert.ok(Math.abs(r.predicted - (t.params.x as number) / 10) < 1e-9);
    assert.ok(r.lo95 < r.predicted && r.predicted < r.hi95 && Math.abs(r.hi95 - r.predicted - 1.96 * 0.01) < 1e-4);
    assert.ok(r.pBetter < 0.05);
    assert.deepEqual(scheduler.stops.get(t.id), r);
  }
  assert.equal(sum.pruned, later.filter((t) => t.params.x !== 4).length);
  assert.ok(sum.pruned >= 1);
});

test('decides only at checkpoints below the budget, only against a complete incumbent, and checks its options', async () => {
  const sched = new CurveExtrapolationScheduler({ model: lastValueModel(), threshold: 0.2 });
  const sim = new SimulatedStudy(sched, 'maximize');
  assert.equal((await sim.run({ x: 1, y: 10 }, () => 0.1, 5)).stopped, false, 'no incumbent yet');
  assert.equal((await sim.run({ x: 2, y: 10 }, () => 0.5, 5)).stopped, false);
  // Worse by 0.5 % (half a standard deviation): P(better) ≈ 0.31 > 0.2 — goes on.
  assert.equal((await sim.run({ x: 3, y: 10 }, () => 0.495, 5)).stopped, false);
  // Rising from far below: stopped at step 1.
  const r = await sim.run({ x: 3, y: 20 }, (s) => 0.2 + 0.05 * s, 5);
  assert.deepEqual([r.stopped, r.steps], [true, 1]);
  // A budget with no checkpoint below it (1 step) never stops.
  assert.equal((await sim.run({ x: 1, y: 20 }, () => 0, 1)).stopped, false);
  assert.throws(() => new CurveExtrapolationScheduler({ model: lastValueModel(), threshold: 1 }), /Expected `threshold` to be a probability in \(0, 1\), got 1/);
  const min = new SimulatedStudy(new CurveExtrapolationScheduler({ model: lastValueModel() }), 'minimize');
  await assert.rejects(min.run({ x: 2, y: 10 }, () => 0.2, 5), /trained to maximize/);
});
