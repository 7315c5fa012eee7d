import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { Space } from '../space/space.js';
import { runWorker } from '../study/engine.js';
import { objectiveRunner } from '../study/objective-runner.js';
import type { Sampler } from '../samplers/sampler.js';
import type { Direction, TrialRecord } from '../core/types.js';
import { Rng } from '../core/rng.js';
import type { Scheduler } from './scheduler.js';
import { MedianStoppingScheduler } from './median.js';
import { SuccessiveHalvingScheduler, ashaScheduler } from './successive-halving.js';
import { HyperbandScheduler } from './hyperband.js';
import { BohbSampler } from '../samplers/bohb.js';
import { SimulatedStudy } from './simulate.js';
import { GpSampler } from '../samplers/gp.js';

const space = Space.fromSpec({ q: { type: 'float', low: 0, high: 1 } });

/** Proposes the given qualities in order. */
function listSampler(qs: readonly number[]): Sampler {
  return { name: 'list', sample: (ctx) => (ctx.trials.length < qs.length ? { params: { q: qs[ctx.trials.length] as number } } : null) };
}

/** Runs the qualities through the engine; a trial's value at step s is curve(q, s). */
async function run(qs: readonly number[], scheduler: Scheduler | undefined, budget: number, curve: (q: number, s: number) => number, direction: Direction = 'maximize', sampler?: Sampler, parallel = 1) {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction, metric: 'acc', spec: {} });
  let epochs = 0;
  const runner = objectiveRunner(async (trial) => {
    const q = trial.params.q as number;
    let v = 0;
    for (let s = 1; s <= (trial.budget ?? 1); s++) {
      epochs++;
      v = curve(q, s);
      await trial.report(s, v);
      // Let other running trials interleave their reports.
      if (parallel > 1) await new Promise((r) => setImmediate(r));
    }
    return v;
  }, 'acc');
  await runWorker({
    storage, study, space, sampler: sampler ?? listSampler(qs), runner, seed: 1, budget, maxAttempts: 1, heartbeatMs: 1000,
    workerId: 'w', parallel, maxTrials: qs.length, ...(scheduler ? { scheduler } : {}),
  });
  const trials = await storage.listTrials(study.id);
  return { trials, epochs };
}

const outcome = (t: TrialRecord): string => (t.state === 'complete' ? 'complete' : `${t.state}@${t.steps.length}`);
const linear = (q: number, s: number): number => q * s;

test('median stopping: stops below the completed trials\' median, after startup trials, warm-up respected', async () => {
  const qs = [0.5, 0.8, 0.6, 0.9, 0.7];
  const plain = await run(qs, new MedianStoppingScheduler({ nStartupTrials: 2 }), 3, linear);
  // T2: 0.6 < median(0.5, 0.8) = 0.65 at step 1; T4: 0.7 < median(0.5, 0.8, 0.9) = 0.8.
  assert.deepEqual(plain.trials.map(outcome), ['complete', 'complete', 'pruned@1', 'complete', 'pruned@1']);
  assert.equal(plain.epochs, 3 * 3 + 1 + 1);
  const warm = await run(qs, new MedianStoppingScheduler({ nStartupTrials: 2, nWarmupSteps: 2 }), 3, linear);
  assert.deepEqual(warm.trials.map(outcome), ['complete', 'complete', 'pruned@2', 'complete', 'pruned@2']);
  // Minimising: the same rule mirrored.
  const min = await run(qs, new MedianStoppingScheduler({ nStartupTrials: 2 }), 3, (q, s) => -q * s, 'minimize');
  assert.deepEqual(min.trials.map(outcome), ['complete', 'complete', 'pruned@1', 'complete', 'pruned@1']);
  const flipped = await run(qs, new MedianStoppingScheduler({ nStartupTrials: 2 }), 3, (q, s) => q * s, 'minimize');
  // Minimising q·s: T2 (0.6 ≤ 0.65) goes on, T3 (0.9 > median 0.6) stops, T4 (0.7 > median 0.6 of 0.5, 0.8, 0.6) stops.
  assert.deepEqual(flipped.trials.map(outcome), ['complete', 'complete', 'complete', 'pruned@1', 'pruned@1']);
  // Intervals (Optuna's rule): decide at the first report at or past each multiple of the interval.
  // T2 dips at step 2 only; interval 1 catches it, interval 3 decides at steps 1 and 3 and lets it finish.
  const dip = (q: number, s: number): number => (q === 0.7 && s === 2 ? 0 : q * s);
  const every1 = await run([0.5, 0.8, 0.7], new MedianStoppingScheduler({ nStartupTrials: 2 }), 4, dip);
  assert.deepEqual(every1.trials.map(outcome), ['complete', 'complete', 'pruned@2']);
  const every3 = await run([0.5, 0.8, 0.7], new MedianStoppingScheduler({ nStartupTrials: 2, intervalSteps: 3 }), 4, dip);
  assert.deepEqual(every3.trials.map(outcome), ['complete', 'complete', 'complete']);
});

test('successive halving: hand-computed rungs (η = 2, rungs 1, 2, 4)', async () => {
  const sh = new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 2 });
  assert.deepEqual([0, 1, 2].map((k) => sh.rungStep(k)), [1, 2, 4]);
  const { trials, epochs } = await run([0.5, 0.4, 0.9, 0.3, 0.6], sh, 4, (q, s) => (q * s) / 4);
  // T1 loses rung 1 to T0; T3 is below the 2nd best of 4; T4 passes rung 1 (2nd of 5) but loses rung 2 to T2.
  assert.deepEqual(trials.map(outcome), ['complete', 'pruned@1', 'complete', 'pruned@1', 'pruned@2']);
  assert.equal(epochs, 4 + 1 + 4 + 1 + 2);
});

test('ASHA with min_early_stopping_rate: first rung at min·η^s; minimising works', async () => {
  const asha = ashaScheduler({ minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 1 });
  assert.equal(asha.name, 'asha');
  assert.equal(asha.rungStep(0), 3);
  // Loss curves: lower is better.
  const { trials } = await run([0.5, 0.2, 0.9, 0.1, 0.8, 0.7], asha, 9, (q, s) => q / s, 'minimize');
  // Rung 3: T1 (0.2/3) vs T0: n=2, best only -> T1 goes on... T0 went first so always on.
  // T2 (0.3) at n=3 → threshold best (0.067): stop. T3 best → on. T4 at n=5 idx 0: stop. T5 at n=6 idx 1 (0.067): stop.
  assert.deepEqual(trials.map(outcome), ['complete', 'complete', 'pruned@3', 'complete', 'pruned@3', 'pruned@3']);
});

test('successive halving on 60 random curves: good trials survive, bad ones stop at rungs, epochs saved', async () => {
  const rng = new Rng(5);
  const qs = Array.from({ length: 60 }, () => rng.next());
  // Noisy saturating curves; ranking by q holds up to noise.
  const curve = (q: number, s: number): number => q * (1 - Math.exp(-s / 3)) + 0.01 * Math.sin(17 * q * s);
  const sh = new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 3 });
  const { trials, epochs } = await run(qs, sh, 27, curve);
  const full = 60 * 27;
  assert.ok(epochs < full / 3, `epochs ${epochs} of ${full}`);
  const best = trials.reduce((a, b) => ((a.params.q as number) > (b.params.q as number) ? a : b));
  assert.equal(best.state, 'complete', 'the best curve survives every rung');
  for (const t of trials) if (t.state === 'pruned') assert.ok([1, 3, 9].includes(t.steps.length), `stopped at a rung below the budget, got ${t.steps.length}`);
  assert.ok(trials.filter((t) => t.steps.length === 27).length >= 2, 'the last rung (= budget) never stops: those trials complete');
  // Among trials that reached the last rung in the second half, the mean quality beats the pruned ones'.
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const kept = trials.filter((t) => t.steps.length === 27).map((t) => t.params.q as number);
  const cut = trials.filter((t) => t.steps.length === 1).map((t) => t.params.q as number);
  assert.ok(mean(kept) > mean(cut) + 0.3, `kept ${mean(kept)}, cut at rung 0 ${mean(cut)}`);
});

test('hyperband: deterministic brackets, each with its own first rung, best curve survives', async () => {
  const hb = new HyperbandScheduler({ minResource: 1, maxResource: 9, reductionFactor: 3 });
  assert.equal(hb.brackets.length, 3);
  assert.deepEqual(hb.brackets.map((b) => b.rungStep(0)), [1, 3, 9]);
  assert.deepEqual(hb.rungSteps(), [1, 3, 9]);
  const ids = Array.from({ length: 170 }, (_, i) => hb.bracketOf(i));
  assert.deepEqual(ids, Array.from({ length: 170 }, (_, i) => new HyperbandScheduler({ maxResource: 9 }).bracketOf(i)));
  const share = [0, 1, 2].map((b) => ids.filter((x) => x === b).length / ids.length);
  // Optuna's allocation 9 : 5 : 3.
  assert.ok(share[0] as number > (share[1] as number) && (share[1] as number) > (share[2] as number) * 0.9 && (share[2] as number) > 0.05, `shares ${share}`);
  const rng = new Rng(8);
  const qs = Array.from({ length: 45 }, () => rng.next());
  const { trials, epochs } = await run(qs, hb, 9, (q, s) => q * Math.sqrt(s));
  for (const t of trials) {
    const b = hb.bracketOf(t.number);
    if (t.state === 'pruned') assert.ok([1, 3, 9].filter((r) => r >= hb.brackets[b]!.rungStep(0)).includes(t.steps.length), `bracket ${b} stopped at ${t.steps.length}`);
    // Why, in the trial: its bracket, the stop step and the rung's comparison.
    if (t.state === 'pruned') {
      const stop = t.attrs['scheduler.stop'] as { scheduler: string; step: number; reason: string };
      assert.deepEqual([stop.scheduler, stop.step], [`hyperband[${b}]`, t.steps.length]);
      assert.match(stop.reason, new RegExp(`^[\\d.]+ at rung ${t.steps.length}, not in the top 1/3 of the \\d+ trials there \\(needs [\\d.]+\\)$`));
    }
    if (b === 2) assert.equal(t.steps.length, 9, 'the last bracket runs every trial in full');
  }
  const best = trials.reduce((a, b) => ((a.params.q as number) > (b.params.q as number) ? a : b));
  assert.equal(best.state, 'complete');
  assert.ok(epochs < 45 * 9 * 0.7, `epochs ${epochs}`);
  assert.throws(() => new HyperbandScheduler({ minResource: 10, maxResource: 9 }), /`max_resource`.*got 9/);
  assert.throws(() => new SuccessiveHalvingScheduler({ reductionFactor: 1 }), /`reduction_factor` to be an integer ≥ 2, got 1/);
});

test('BOHB: TPE fitted on the highest rung with enough data concentrates near the optimum', async () => {
  const target = 0.73;
  const curve = (q: number) => (s: number): number => (1 - (q - target) ** 2 * 4) * (1 - Math.exp(-s / 2));
  const late = (ts: readonly TrialRecord[]): number => ts.slice(30).reduce((a, t) => a + Math.abs((t.params.q as number) - target), 0) / (ts.length - 30);
  const drive = async (model: boolean, seed: number): Promise<readonly TrialRecord[]> => {
    const hb = new HyperbandScheduler({ minResource: 1, maxResource: 9, reductionFactor: 3 });
    const bohb = new BohbSampler({ rungSteps: hb.rungSteps(), metric: 'value', tpe: { nStartupTrials: 8 } });
    const sim = new SimulatedStudy(hb, 'maximize');
    for (let i = 0; i < 60; i++) {
      const rng = new Rng(seed * 1000 + i);
      const p = model ? bohb.sample({ space, direction: 'maximize', trials: sim.trials, rng }) : { params: space.sample(rng), attrs: {} };
      await sim.run(p.params, curve(p.params.q as number), 9, p.attrs);
    }
    if (model) assert.equal(bohb.fittingRung(sim.trials, 1), 9, 'enough trials reached the full budget');
    return sim.trials;
  };
  let withModel = 0, random = 0;
  for (const seed of [1, 2, 3]) {
    const m = await drive(true, seed);
    assert.ok(m.slice(20).every((t) => typeof t.attrs['bohb.rung'] === 'number'), 'model-based after startup');
    withModel += late(m) / 3;
    random += late(await drive(false, seed)) / 3;
  }
  assert.ok(withModel < random * 0.6, `bohb ${withModel}, random ${random}`);
  // Through the engine, with the study's metric.
  const hb = new HyperbandScheduler({ minResource: 1, maxResource: 9 });
  const engine = await run(Array<number>(30).fill(0), hb, 9, (q, s) => curve(q)(s), 'maximize', new BohbSampler({ rungSteps: hb.rungSteps(), metric: 'acc', tpe: { nStartupTrials: 8 } }));
  assert.equal(engine.trials.length, 30);
  assert.ok(engine.trials.slice(20).every((t) => typeof t.attrs['bohb.rung'] === 'number'));
});

test('GP on rung values (gp+rungs) under ASHA: model-based once a rung has enough, and near the optimum', async () => {
  const asha = ashaScheduler({ minResource: 1, reductionFactor: 3 });
  const sampler = new BohbSampler({ rungSteps: [1, 3, 9], metric: 'value', inner: new GpSampler({ nStartupTrials: 6 }), minObservations: 6 });
  assert.equal(sampler.name, 'gp+rungs');
  const sim = new SimulatedStudy(asha, 'maximize');
  for (let i = 0; i < 30; i++) {
    const p = sampler.sample({ space, direction: 'maximize', trials: sim.trials, rng: new Rng(i) });
    const q = p.params.q as number;
    await sim.run(p.params, (s) => (1 - (q - 0.3) ** 2) * s / 9, 9, p.attrs);
  }
  assert.ok(sim.trials.slice(10).every((t) => t.attrs['bohb.rung'] !== null));
  const late = sim.trials.slice(15).map((t) => Math.abs((t.params.q as number) - 0.3));
  assert.ok(late.reduce((a, b) => a + b, 0) / late.length < 0.1, `mean distance ${late}`);
});

test('ASHA with 4 trials in parallel: decides on whatever reached the rung, best survives, epochs saved', async () => {
  const rng = new Rng(11);
  const qs = Array.from({ length: 40 }, () => rng.next());
  const { trials, epochs } = await run(qs, ashaScheduler({ minResource: 1, reductionFactor: 3 }), 9, linear, 'maximize', undefined, 4);
  assert.equal(trials.length, 40);
  const best = trials.reduce((a, b) => ((a.params.q as number) > (b.params.q as number) ? a : b));
  assert.equal(best.state, 'complete');
  assert.ok(trials.filter((t) => t.state === 'pruned').length >= 20);
  for (const t of trials) if (t.state === 'pruned') assert.ok([1, 3, 9].includes(t.steps.length), `stopped at ${t.steps.length}`);
  assert.ok(epochs < 40 * 9 * 0.5, `epochs ${epochs}`);
});

test('SimulatedStudy drives a scheduler without the engine and counts epochs', async () => {
  const sim = new SimulatedStudy(new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 2 }), 'maximize');
  const outs = [];
  for (const q of [0.5, 0.4, 0.9, 0.3, 0.6]) outs.push(await sim.run({ q }, (s) => (q * s) / 4, 4));
  assert.deepEqual(outs.map((o) => [o.steps, o.stopped]), [[4, false], [1, true], [4, false], [1, true], [2, true]]);
  assert.equal(sim.epochsUsed, 12);
  assert.deepEqual(sim.trials.map((t) => t.state), ['complete', 'pruned', 'complete', 'pruned', 'pruned']);
});
