import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { gridSampler } from '../samplers/grid.js';
import { Space } from '../space/space.js';
import type { Runner } from '../runners/runner.js';
import type { Scheduler } from '../schedulers/scheduler.js';
import { TrialPruned } from '../core/errors.js';
import { runWorker } from './engine.js';
import { objectiveRunner } from './objective-runner.js';

// What the engine does once a scheduler has stopped a trial whose runner does not stop at once.

const space = Space.fromSpec({ x: { type: 'series', values: [1] } });
const base = { seed: 1, budget: 5, maxAttempts: 1, heartbeatMs: 50, workerId: 'w', parallel: 1, space, sampler: gridSampler({ seeds: [1], budget: 5 }) } as const;

/** Stops every trial at step 2 (after an await, as schedulers that read storage do). */
const stopAt2: Scheduler = {
  name: 'at-two',
  onReport: async (_t, step) => {
    await new Promise((r) => setTimeout(r, 2));
    return step === 2 ? 'stop' : 'continue';
  },
};

/** The curve 0.5, 0.4, 0.6, 0.9, 0.95: best after the stop at step 2. */
const curve = (step: number): number => [0.5, 0.4, 0.6, 0.9, 0.95][step - 1] as number;

async function run(runner: Runner) {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const summary = await runWorker({ ...base, storage, study, runner, scheduler: stopAt2 });
  const [t] = await storage.listTrials(study.id);
  assert.ok(t);
  return { summary, t };
}

test('a runner that ignores the stop and reports on: nothing after the stop step is stored', async () => {
  const runner: Runner = {
    name: 'deaf',
    async run(_trial, ctx) {
      for (let s = 1; s <= 5; s++) await ctx.report(s, { acc: curve(s) });
      return { state: 'pruned', step: 5, value: 0.95 };
    },
  };
  const { summary, t } = await run(runner);
  assert.equal(summary.pruned, 1);
  assert.deepEqual(t.steps.map((s) => s.step), [1, 2]);
  assert.equal(t.attrs['pruned_step'], 2);
  // The runner's value came from steps that were not stored: the trial keeps the value of its stop step.
  assert.equal(t.value, 0.4);
});

test('reports sent without waiting for each other: none after the stop step is stored', async () => {
  const runner: Runner = {
    name: 'burst',
    async run(_trial, ctx) {
      const sent: (void | Promise<void>)[] = [];
      for (let s = 1; s <= 5; s++) sent.push(ctx.report(s, { acc: curve(s) }));
      await Promise.all(sent);
      return { state: 'pruned', step: 5, value: 0.95 };
    },
  };
  const { t } = await run(runner);
  assert.equal(t.state, 'pruned');
  assert.deepEqual(t.steps.map((s) => s.step), [1, 2]);
  assert.equal(t.attrs['pruned_step'], 2);
});

test('an objective that catches the stop and goes on: its later reports are not stored, nor its best step', async () => {
  const runner = objectiveRunner(async (trial) => {
    for (let s = 1; s <= 5; s++) {
      try {
        await trial.report(s, curve(s));
      } catch (e) {
        if (!(e instanceof TrialPruned)) throw e;
      }
    }
    return { value: 0.95, metrics: { best_step: 5 } };
  }, 'acc');
  const { summary, t } = await run(runner);
  assert.equal(summary.pruned, 1);
  assert.equal(t.state, 'pruned');
  assert.deepEqual(t.steps.map((s) => s.step), [1, 2]);
  assert.equal(t.attrs['pruned_step'], 2);
  assert.equal(t.metrics['best_step'], undefined, 'step 5 was not stored: it is no best step of this trial');
});

test('a runner that completes its step after the stop: pruned at the stop step, with the value it reported there', async () => {
  // The stop came while the runner was finishing: it reports nothing more and returns complete.
  const runner: Runner = {
    name: 'late',
    async run(_trial, ctx) {
      for (let s = 1; s <= 2; s++) await ctx.report(s, { acc: curve(s), loss: 1 - curve(s) });
      return { state: 'complete', value: 0.5, metrics: { best_step: 1, parameters: 7 } };
    },
  };
  const { summary, t } = await run(runner);
  assert.equal(summary.pruned, 1);
  assert.equal(t.state, 'pruned');
  assert.equal(t.attrs['pruned_step'], 2);
  assert.equal(t.value, 0.4, 'a pruned trial keeps the value of its stop step (Optuna: the last intermediate value)');
  // The best step named a value the trial no longer has; what describes the run (its size) stays.
  assert.deepEqual(t.metrics, { acc: 0.4, loss: 0.6, parameters: 7 });
});

test('a runner that throws TrialPruned: the pruned trial keeps the value of its last stored step', async () => {
  // At the scheduler's stop (the abort reason is a TrialPruned), and on its own decision without a scheduler.
  const atStop: Runner = {
    name: 'throws at the stop',
    async run(_trial, ctx) {
      for (let s = 1; s <= 5; s++) {
        await ctx.report(s, { acc: curve(s) });
        ctx.signal.throwIfAborted();
      }
      return { state: 'complete', value: 0.95 };
    },
  };
  const stopped = await run(atStop);
  assert.equal(stopped.t.state, 'pruned');
  assert.equal(stopped.t.attrs['pruned_step'], 2);
  assert.equal(stopped.t.value, 0.4);

  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const own: Runner = {
    name: 'gives up',
    async run(_trial, ctx) {
      for (let s = 1; s <= 3; s++) await ctx.report(s, { acc: curve(s) });
      throw new TrialPruned('not worth it');
    },
  };
  await runWorker({ ...base, storage, study, runner: own });
  const [t] = await storage.listTrials(study.id);
  assert.equal(t?.state, 'pruned');
  assert.equal(t?.attrs['pruned_step'], 3);
  assert.equal(t?.value, 0.6);
});

test('a runner that throws its own error once stopped (not TrialPruned): the trial is pruned at the stop step, not failed', async () => {
  const runner: Runner = {
    name: 'abort-error',
    async run(_trial, ctx) {
      for (let s = 1; s <= 5; s++) {
        await ctx.report(s, { acc: curve(s) });
        if (ctx.signal.aborted) throw new Error('The operation was aborted');
      }
      return { state: 'complete', value: 0.95 };
    },
  };
  const { summary, t } = await run(runner);
  assert.equal(summary.pruned, 1);
  assert.equal(t.state, 'pruned');
  assert.equal(t.error, null);
  assert.deepEqual(t.steps.map((s) => s.step), [1, 2]);
  assert.equal(t.value, 0.4);
});
