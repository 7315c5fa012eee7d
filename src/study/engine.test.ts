import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { gridSampler } from '../samplers/grid.js';
import { randomSampler } from '../samplers/random.js';
import { Space } from '../space/space.js';
import type { Runner } from '../runners/runner.js';
import { runWorker } from './engine.js';
import { Study } from './study.js';
import { objectiveRunner } from './objective-runner.js';
import { TrialPruned } from '../core/errors.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import { deriveSeed, Rng } from '../core/rng.js';

const space = Space.fromSpec({ x: { type: 'series', values: [1, 2, 3, 4] }, y: { type: 'series', values: [10, 20] } });

async function setup() {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  return { storage, study };
}

const base = { seed: 1, budget: 3, maxAttempts: 3, heartbeatMs: 50 } as const;

test('grid: every point runs once, steps and values are stored, parallel slots are used', async () => {
  const { storage, study } = await setup();
  let inFlight = 0;
  let maxInFlight = 0;
  const runner: Runner = {
    name: 'fake',
    async run(trial, ctx) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const x = trial.params.x as number;
      for (let e = 1; e <= (trial.budget ?? 1); e++) {
        await new Promise((r) => setTimeout(r, 5));
        await ctx.report(e, { acc: x / 10 + e / 100, fixed_seen: trial.params.lr === 0.5 ? 1 : 0 });
      }
      inFlight--;
      return { state: 'complete', value: x / 10 + 0.03 };
    },
  };
  const sampler = gridSampler({ seeds: [7], budget: 3 });
  const summary = await runWorker({ ...base, storage, study, space, sampler, runner, fixed: { lr: 0.5 }, workerId: 'w1', parallel: 3 });
  assert.deepEqual(summary, { complete: 8, pruned: 0, failed: 0, interrupted: false });
  assert.equal(maxInFlight, 3);
  const trials = await storage.listTrials(study.id);
  assert.equal(trials.length, 8);
  assert.ok(trials.every((t) => t.state === 'complete' && t.steps.length === 3 && t.seed === 7 && t.steps[0]?.metrics.fixed_seen === 1));
  // Running it again changes nothing: the grid is deduplicated and nothing waits.
  const again = await runWorker({ ...base, storage, study, space, sampler, runner, workerId: 'w2', parallel: 2 });
  assert.deepEqual(again, { complete: 0, pruned: 0, failed: 0, interrupted: false });
  assert.equal((await storage.listTrials(study.id)).length, 8);
});

test('a throwing runner fails its trial only; the study goes on and records the reason', async () => {
  const { storage, study } = await setup();
  const runner: Runner = {
    name: 'flaky',
    async run(trial) {
      if (trial.params.x === 2) throw new Error('out of memory');
      return { state: 'complete', value: 1 };
    },
  };
  const s = await runWorker({ ...base, storage, study, space, sampler: gridSampler({ seeds: [1], budget: null }), runner, workerId: 'w', parallel: 2 });
  assert.equal(s.failed, 2);
  assert.equal(s.complete, 6);
  const failed = await storage.listTrials(study.id, { states: ['failed'] });
  assert.ok(failed.every((t) => t.error === 'out of memory' && t.params.x === 2));
});

test('interrupting puts running trials back to waiting; a new worker finishes them', async () => {
  const { storage, study } = await setup();
  const controller = new AbortController();
  let started = 0;
  const slow: Runner = {
    name: 'slow',
    run: (trial, ctx) => new Promise((resolve) => {
      started++;
      if (started === 2) setTimeout(() => controller.abort(), 20);
      const t = setTimeout(() => resolve({ state: 'complete', value: 1 }), trial.number < 1 ? 1 : 10_000);
      ctx.signal.addEventListener('abort', () => { clearTimeout(t); resolve({ state: 'pruned', step: 0 }); });
    }),
  };
  const sampler = gridSampler({ seeds: [1], budget: null });
  const s = await runWorker({ ...base, storage, study, space, sampler, runner: slow, workerId: 'w1', parallel: 2, signal: controller.signal });
  assert.equal(s.interrupted, true);
  const counts = await storage.countTrials(study.id);
  assert.equal(counts.running, 0, 'no trial left running');
  assert.equal(counts.pruned, 0, 'interrupted trials are not recorded as pruned');
  assert.equal(counts.complete + counts.waiting, 8);
  const quick: Runner = { name: 'quick', run: async () => ({ state: 'complete', value: 2 }) };
  await runWorker({ ...base, storage, study, space, sampler, runner: quick, workerId: 'w2', parallel: 2 });
  assert.equal((await storage.countTrials(study.id)).complete, 8);
});

test('random sampler stops at maxTrials; seeds derive from the study seed (repeatable)', async () => {
  const run = async () => {
    const { storage, study } = await setup();
    await runWorker({ ...base, storage, study, space, sampler: randomSampler(), runner: objectiveRunner(({ params }) => (params.x as number) * 2, 'acc'), workerId: 'w', parallel: 1, maxTrials: 5 });
    return (await storage.listTrials(study.id)).map((t) => [t.params, t.seed, t.value]);
  };
  const a = await run();
  assert.equal(a.length, 5);
  assert.deepEqual(await run(), a);
});

test('library API: ask/tell and optimize with pruning', async () => {
  const study = await Study.create({ space, direction: 'minimize', seed: 3 });
  const t = await study.ask();
  assert.ok(space.contains(t.params));
  await study.tell(t.id, 0.25);
  await assert.rejects(study.tell(t.id, 0.5), /not running/);
  const r = await study.optimize(async (trial) => {
    await trial.report(1, (trial.params.x as number) + 0.5);
    if ((trial.params.x as number) > 3) throw new TrialPruned();
    return trial.params.x as number;
  }, { nTrials: 10 });
  assert.equal(r.complete + r.pruned, 10, 'nTrials counts this call\'s trials (Optuna), not the study total');
  assert.equal((await study.trials()).length, 11);
  // The best trial is the minimum of the complete trials' values: at most the 0.25 told by hand.
  const best = await study.bestTrial();
  const values = (await study.trials()).filter((x) => x.state === 'complete').map((x) => x.value as number);
  assert.ok(values.includes(0.25));
  assert.equal(best?.value, Math.min(...values));
  assert.ok((best?.value ?? Infinity) <= 0.25);
});

test('a scheduler stop aborts the trial, which ends pruned with its steps kept', async () => {
  const { storage, study } = await setup();
  const stopLow: Scheduler = { name: 'threshold', onReport: (_t, step, value) => (step >= 2 && value < 0.3 ? 'stop' : 'continue') };
  const runner = objectiveRunner(async (trial) => {
    const x = trial.params.x as number;
    for (let s = 1; s <= 5; s++) await trial.report(s, x / 10);
    return x / 10;
  }, 'acc');
  const s = await runWorker({ ...base, storage, study, space, sampler: gridSampler({ seeds: [1], budget: 5 }), runner, scheduler: stopLow, workerId: 'w', parallel: 2 });
  assert.equal(s.pruned, 4, 'x = 1 and 2 (value < 0.3) are stopped, for both y');
  assert.equal(s.complete, 4);
  const pruned = await storage.listTrials(study.id, { states: ['pruned'] });
  assert.ok(pruned.every((t) => t.steps.length === 2 && (t.params.x as number) < 3));
});

const continuous = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1, log: false } });

test('workers racing on one study propose distinct trials; trial k holds the proposal of stream k', async () => {
  const { storage, study } = await setup();
  const runner: Runner = {
    name: 'quick',
    async run(trial) {
      await new Promise((r) => setTimeout(r, 1 + (trial.number % 3)));
      return { state: 'complete', value: trial.params.x as number };
    },
  };
  // Eight workers in one process, interleaving at every await: each reads the same trial count at times.
  const summaries = await Promise.all(Array.from({ length: 8 }, (_, w) =>
    runWorker({ ...base, budget: null, storage, study, space: continuous, sampler: randomSampler(), runner, workerId: `w${w}`, parallel: 2, maxTrials: 60 })));
  assert.equal(summaries.reduce((n, s) => n + s.complete, 0), 60);
  const trials = await storage.listTrials(study.id);
  assert.equal(trials.length, 60);
  assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, 60, 'no configuration proposed twice');
  assert.equal(new Set(trials.map((t) => t.seed)).size, 60, 'no trial seed used twice');
  assert.ok(new Set(trials.map((t) => t.workerId)).size > 1, 'the work was shared');
  // Whoever proposed it, trial k's params and seed come from the streams of number k: the same as one worker's.
  for (const t of trials) {
    assert.deepEqual(t.params, continuous.sample(new Rng(deriveSeed(base.seed, 'sampler', t.number))), `trial #${t.number}`);
    assert.equal(t.seed, deriveSeed(base.seed, 'trial', t.number));
    assert.equal(t.attempts, 1);
  }
  const alone = await setup();
  await runWorker({ ...base, budget: null, storage: alone.storage, study: alone.study, space: continuous, sampler: randomSampler(), runner, workerId: 'solo', parallel: 3, maxTrials: 60 });
  assert.deepEqual((await alone.storage.listTrials(alone.study.id)).map((t) => [t.params, t.seed]), trials.map((t) => [t.params, t.seed]), 'one worker repeats the same study');
});

test('an attempt counts when the runner starts the trial, not at the claim', async () => {
  const { storage, study } = await setup();
  await storage.enqueueTrials(study.id, [{ params: { x: 1, y: 10 }, seed: 1, budget: null }, { params: { x: 2, y: 10 }, seed: 2, budget: null }]);
  const seen: { attempts: number; startedAt: number | null }[] = [];
  // A runner that starts its trials late (marksStart): before ctx.starting() the claim is no attempt yet.
  const runner: Runner = {
    name: 'late',
    marksStart: true,
    async run(trial, ctx) {
      const before = await storage.getTrial(trial.trialId);
      assert.ok(before);
      seen.push({ attempts: before.attempts, startedAt: before.startedAt });
      await ctx.starting?.();
      return { state: 'complete', value: 1 };
    },
  };
  await runWorker({ ...base, storage, study, space, sampler: { name: 'queue only' }, runner, workerId: 'w', parallel: 1 });
  assert.deepEqual(seen, [{ attempts: 0, startedAt: null }, { attempts: 0, startedAt: null }]);
  assert.deepEqual((await storage.listTrials(study.id)).map((t) => [t.state, t.attempts, typeof t.startedAt]), [['complete', 1, 'number'], ['complete', 1, 'number']]);
  // A plain runner's trial counts as started when run() is called.
  const plain = await setup();
  const attemptsInRun: number[] = [];
  await runWorker({ ...base, budget: null, storage: plain.storage, study: plain.study, space: continuous, sampler: randomSampler(), workerId: 'w', parallel: 1, maxTrials: 2,
    runner: { name: 'plain', async run(trial) { attemptsInRun.push((await plain.storage.getTrial(trial.trialId))?.attempts ?? -1); return { state: 'complete', value: 1 }; } } });
  assert.deepEqual(attemptsInRun, [1, 1]);
});

test('waiting for other workers leaves no abort listeners behind on the study signal', async () => {
  const { storage, study } = await setup();
  await storage.enqueueTrials(study.id, [{ params: { x: 1, y: 10 }, seed: 1, budget: null }]);
  // Another worker holds the only trial for a while: this one polls (waitForOthers) many times meanwhile.
  const held = await storage.claimTrial(study.id, 'other');
  assert.ok(held);
  setTimeout(() => void storage.finishTrial(held.id, 'other', { state: 'complete', value: 1 }), 300);
  const ac = new AbortController();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => { warnings.push(w.name); };
  process.on('warning', onWarning);
  try {
    await runWorker({ ...base, heartbeatMs: 5, storage, study, space, sampler: { name: 'queue only' }, runner: { name: 'none', run: async () => ({ state: 'complete', value: 1 }) }, workerId: 'w', parallel: 1, waitForOthers: true, signal: ac.signal });
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
});
