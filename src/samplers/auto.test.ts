import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoSampler, looksDeterministic } from './auto.js';
import { GpSampler } from './gp.js';
import { TpeSampler } from './tpe.js';
import { randomSampler } from './random.js';
import { makeTrial, runSequential } from '../../bench/support/loop.js';
import { branin } from '../../bench/objectives/test-functions.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import type { Params, TrialRecord } from '../core/types.js';

const space = Space.fromSpec({
  units: { type: 'series', values: [16, 32, 64, 128, 256, 512] },
  drop: { type: 'series', values: [0, 0.3, 0.6] },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
  lr: { type: 'series', values: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1] },
});
const f = (p: Params): number => Math.abs(Math.log2((p.units as number) / 128)) + 2 * (p.drop as number) + (p.act === 'tanh' ? 0.4 : 0) + Math.abs(Math.log10(p.lr as number) + 2.5);

test('phases: TPE (multivariate, no repeats) until switchAt complete trials, then rank-GP (no repeats)', () => {
  const rng = new Rng(1);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 25; i++) { const p = space.sample(rng); trials.push(makeTrial(i, p, f(p))); }
  const auto = new AutoSampler({ switchAt: 20 });
  const ctx = (ts: readonly TrialRecord[]) => ({ space, direction: 'minimize' as const, trials: ts, rng: new Rng(7) });
  assert.equal(auto.phase(ctx(trials.slice(0, 19))), 'tpe');
  // Running trials do not count towards the switch.
  assert.equal(auto.phase(ctx([...trials.slice(0, 19), makeTrial(19, trials[19]?.params as Params, null)])), 'tpe');
  assert.equal(auto.phase(ctx(trials.slice(0, 20))), 'gp');
  const tpe = new TpeSampler({ multivariate: true, avoidRepeats: true });
  assert.deepEqual(auto.sample(ctx(trials.slice(0, 15))).params, tpe.sample(ctx(trials.slice(0, 15))).params);
  assert.deepEqual(auto.sample(ctx(trials)).params, new GpSampler({ yTransform: 'rank', avoidRepeats: true }).sample(ctx(trials)).params);
  // Default switch: 40 on all-finite spaces, 10 (the GP's start-up) where an axis is continuous.
  assert.equal(new AutoSampler().switchFor(space), 40);
  assert.equal(new AutoSampler().switchFor(branin().space), 10);
  // With a budget, on a continuous space: 40 % of it, within 10–40.
  assert.deepEqual([25, 50, 100, 200].map((trials) => new AutoSampler({ trials }).switchFor(branin().space)), [10, 20, 40, 40]);
  assert.equal(new AutoSampler({ trials: 200 }).switchFor(space), 40);
  assert.equal(new AutoSampler({ switchAt: 25 }).switchFor(branin().space), 25);
  assert.throws(() => new AutoSampler({ pickAmong: 0 }), /`pickAmong` to be an integer ≥ 1, got 0/);
  assert.throws(() => new AutoSampler({ switchAt: -1 }), /`switchAt` to be an integer ≥ 0, got -1/);
});

test('finite space: valid, never repeats after start-up, and beats random search (5 seeds, 50 trials)', () => {
  const key = (p: Params): string => JSON.stringify(p);
  let autoSum = 0, rndSum = 0;
  for (let seed = 0; seed < 5; seed++) {
    const r = runSequential(new AutoSampler({ switchAt: 25 }), space, 'minimize', f, 50, seed);
    assert.ok(r.params.every((p) => space.contains(p)));
    const seen = new Set(r.params.slice(0, 10).map(key));
    for (const p of r.params.slice(10)) { assert.ok(!seen.has(key(p)), `repeat ${key(p)}`); seen.add(key(p)); }
    autoSum += Math.min(...r.values);
    rndSum += Math.min(...runSequential(randomSampler(), space, 'minimize', f, 50, seed).values);
  }
  assert.ok(autoSum < rndSum, `auto ${autoSum} vs random ${rndSum}`);
});

test('continuous space: Branin near its optimum after 50 trials', () => {
  const fn = branin();
  const r = runSequential(new AutoSampler({ switchAt: 20 }), fn.space, 'minimize', (p) => fn.evaluate(p), 50, 3);
  assert.ok(Math.min(...r.values) - fn.optimum < 0.1, `regret ${Math.min(...r.values) - fn.optimum}`);
});

test('returned configuration: best mean before the switch; after it the model pools a lone lucky value with its neighbours', () => {
  const auto = new AutoSampler({ switchAt: 20 });
  const line = Space.fromSpec({ x: { type: 'series', values: Array.from({ length: 41 }, (_, i) => i) } });
  const few = [makeTrial(0, { x: 3 }, 0.1), makeTrial(1, { x: 3 }, 0.9), makeTrial(2, { x: 7 }, 0.3)];
  assert.deepEqual(auto.returnedConfiguration(few, line, 'minimize')?.params, { x: 7 });
  assert.deepEqual(auto.returnedConfiguration(few, line, 'maximize')?.params, { x: 3 });
  assert.equal(auto.returnedConfiguration([], line, 'minimize'), null);
  // A smooth bowl around x = 20 observed with noise, and one lucky draw at x = 2 (true value far worse).
  const rng = new Rng(11);
  const trials: TrialRecord[] = [];
  for (let i = 0; i <= 40; i++) trials.push(makeTrial(i, { x: i }, ((i - 20) / 20) ** 2 + 0.08 * rng.normal()));
  (trials[2] as { value: number }).value = Math.min(...trials.map((t) => t.value as number)) - 0.05;
  const best = auto.returnedConfiguration(trials, line, 'minimize')?.params.x as number;
  assert.ok(Math.abs(best - 20) <= 6, `returned x = ${best}`);
});

test('in a Study with 3 parallel workers: the trial limit holds, no repeats after start-up, the quadratic is solved', async () => {
  const { Study } = await import('../study/study.js');
  const study = await Study.create({
    space: { x: { type: 'series', values: Array.from({ length: 21 }, (_, i) => -5 + i / 2) }, y: { type: 'int', low: 0, high: 10 } },
    direction: 'minimize',
    sampler: new AutoSampler({ switchAt: 15 }),
    name: 'auto-parallel',
  });
  const summary = await study.optimize(async (trial) => {
    const { x, y } = trial.params as { x: number; y: number };
    await new Promise((r) => setTimeout(r, 1));
    return (x - 1) ** 2 + y;
  }, { nTrials: 40, parallel: 3 });
  const trials = await study.trials();
  assert.equal(trials.length, 40);
  assert.equal(summary.complete, 40);
  const key = (p: Params): string => JSON.stringify(p);
  const seen = new Set(trials.slice(0, 12).map((t) => key(t.params)));
  for (const t of trials.slice(12)) { assert.ok(!seen.has(key(t.params)), `trial ${t.number} repeats ${key(t.params)}`); seen.add(key(t.params)); }
  const best = await study.bestTrial();
  assert.ok(best && (best.value as number) <= 0.25, `best ${best?.value}`);
});

test('confirmation: the last share of the budget re-evaluates the model’s best on a noisy objective; the pick rests on repeats', () => {
  // True value f plus seed noise: the same configuration gives a different value each time.
  const trials = 60;
  const auto = new AutoSampler({ switchAt: 20, trials, confirmShare: 0.2 });
  assert.equal(auto.confirmTrials, 12);
  assert.equal(auto.confirmTrialsFor(space), 12);
  // At most half of the GP phase: with 50 trials on this grid (switch at 40), 5 rather than 10.
  assert.equal(new AutoSampler({ trials: 50 }).confirmTrialsFor(space), 5);
  assert.equal(new AutoSampler({ trials: 30 }).confirmTrialsFor(space), 0);
  assert.equal(new AutoSampler({ trials: 200 }).confirmTrialsFor(space), 40);
  const noisy = (p: Params, rng: Rng): number => f(p) + 0.3 * rng.normal();
  const noise = new Rng(5);
  const r = runSequential(auto, space, 'minimize', (p) => noisy(p, noise), trials, 4);
  const key = (p: Params): string => JSON.stringify(p);
  const before = new Set(r.params.slice(0, trials - 12).map(key));
  assert.equal(before.size, trials - 12, 'no repeats before the confirmation phase');
  const last = r.params.slice(trials - 12);
  assert.ok(last.every((p) => before.has(key(p))), 'every confirmation trial re-evaluates an evaluated configuration');
  assert.ok(new Set(last.map(key)).size >= 2, 'the race has at least two entrants');
  const done = r.params.map((p, i) => makeTrial(i, p, r.values[i] as number));
  const pick = auto.returnedConfiguration(done, space, 'minimize')?.params as Params;
  assert.ok(done.filter((t) => key(t.params) === key(pick)).length >= 2, 'the returned configuration was evaluated more than once');
  // Without a budget (or with share 0) nothing is re-evaluated.
  const plain = runSequential(new AutoSampler({ switchAt: 20, trials, confirmShare: 0 }), space, 'minimize', (p) => noisy(p, new Rng(1)), trials, 4);
  assert.equal(new Set(plain.params.map(key)).size, trials);
});

test('confirmation past the GP\'s history cap reuses the kernel hyperparameters proposals chose (confirmHyper cached), or searches at every re-evaluation (search)', () => {
  assert.throws(() => new AutoSampler({ confirmHyper: 'never' as 'cached' }), /confirmHyper/);
  const trials = 60;
  const noisy = (p: Params, rng: Rng): number => f(p) + 0.3 * rng.normal();
  const proto = GpSampler.prototype as unknown as { hyperSearch: (...a: unknown[]) => unknown };
  const original = proto.hyperSearch;
  let searches = 0;
  proto.hyperSearch = function (this: unknown, ...a: unknown[]) { searches++; return original.apply(this, a); };
  try {
    const count = (confirmHyper: 'cached' | 'search'): { searches: number; confirm: number } => {
      // A history cap of 30: the confirmation phase (trials 48–59) is past it.
      const auto = new AutoSampler({ switchAt: 20, trials, confirmHyper, gp: { maxHistory: 30 } });
      const noise = new Rng(5);
      const r = runSequential(auto, space, 'minimize', (p) => noisy(p, noise), trials - 12, 4);
      const done = r.params.map((p, i) => makeTrial(i, p, r.values[i] as number));
      searches = 0;
      let confirm = 0;
      for (let i = 0; i < 12; i++) {
        const step = auto.confirmStep({ space, direction: 'minimize', trials: done, rng: new Rng(100 + i) });
        if (step !== null) confirm++;
        const p = step?.params ?? space.sample(noise);
        done.push(makeTrial(done.length, p, noisy(p, noise)));
      }
      return { searches, confirm };
    };
    const cached = count('cached'), search = count('search');
    assert.equal(cached.confirm, 12);
    assert.equal(search.confirm, 12);
    // One search per re-evaluation, against at most one refresh per 3 (= 30/10) new trials, plus the first.
    assert.equal(search.searches, 12);
    assert.ok(cached.searches <= 5, `cached: ${cached.searches} searches`);
  } finally {
    proto.hyperSearch = original;
  }
});

test('confirmation stops on a deterministic objective once its exact repeats stop being plausible by chance, and search resumes', () => {
  const trials = 60;
  const r = runSequential(new AutoSampler({ switchAt: 20, trials, confirmShare: 0.2 }), space, 'minimize', f, trials, 4);
  const key = (p: Params): string => JSON.stringify(p);
  const distinct = new Set(r.params.map(key)).size;
  // f takes few distinct values on this grid (ties between configurations), so repeats are priced at the grid
  // rate for some values: five repeats, not the four a continuous metric needs.
  assert.equal(distinct, trials - 5, `five repeats spent, got ${trials - distinct}`);
  // The pick then ignores the repeats: it is the best value found, found after the repeats or not.
  const done = r.params.map((p, i) => makeTrial(i, p, r.values[i] as number));
  const pick = new AutoSampler({ switchAt: 20, trials, confirmShare: 0.2 }).returnedConfiguration(done, space, 'minimize')?.params as Params;
  assert.equal(f(pick), Math.min(...r.values));
    const same = [makeTrial(0, { x: 1 }, 2), makeTrial(1, { x: 1 }, 2), makeTrial(2, { x: 2 }, 3), makeTrial(3, { x: 2 }, 3)];
  assert.equal(looksDeterministic(same), false, 'two can still be chance (1 in 16 with 4 seeds)');
  const three = [...same, makeTrial(4, { x: 3 }, 5), makeTrial(5, { x: 3 }, 5)];
  assert.equal(looksDeterministic(three), false, 'three: 1 in 64 with 4 seeds, above the 1 % level');
  assert.equal(looksDeterministic([...three, makeTrial(6, { x: 3 }, 5)]), true, 'four: 1 in 256');
  assert.equal(looksDeterministic([...three, makeTrial(6, { x: 3 }, 5), makeTrial(7, { x: 2 }, 3.1)]), false, 'one repeat that differs means noisy');
  assert.throws(() => new AutoSampler({ trials: 10, confirmShare: 1 }), /`confirmShare` to be in \[0, 1\), got 1/);
  assert.throws(() => new AutoSampler({ trials: 0 }), /`trials` to be an integer ≥ 1, got 0/);
});

test('on a deterministic objective the pick is the best observed value, not the smoothed model’s choice', () => {
  // A smooth bowl with its minimum 0 at x = 0.3, and one lone better value (−0.01) at x = 0.9 among bad
  // neighbours: the GP's posterior mean, which pools neighbours, prefers x = 0.3.
  const line = Space.fromSpec({ x: { type: 'series', values: Array.from({ length: 41 }, (_, i) => i / 40) } });
  const done: TrialRecord[] = [];
  for (let i = 0; i <= 40; i++) { const x = i / 40; done.push(makeTrial(done.length, { x }, i === 36 ? -0.01 : (x - 0.3) ** 2)); }
  const auto = new AutoSampler({ switchAt: 10, trials: 40 });
  assert.deepEqual(auto.returnedConfiguration(done, line, 'minimize')?.params, { x: 0.3 }, 'without repeats: the model’s choice');
  // Four exact repeats reveal determinism: every value is the truth, and the best one is returned (the GP,
  // refitted with the repeats, still prefers x = 0.3). Repeated: x = 0.65…0.725, whose values no other x shares
  // (x = 0…0.05 share theirs with their mirror images, which would make the matches look like grid chance).
  const repeats = [26, 27, 28, 29].map((i) => makeTrial(done.length + i, (done[i] as TrialRecord).params, (done[i] as TrialRecord).value));
  assert.deepEqual(auto.returnedConfiguration([...done, ...repeats], line, 'minimize')?.params, { x: 0.9 });
});

test('in a Study, the confirmation phase re-runs configurations as new trials (storage accepts repeats)', async () => {
  const { Study } = await import('../study/study.js');
  const study = await Study.create({
    space: { x: { type: 'series', values: Array.from({ length: 21 }, (_, i) => -5 + i / 2) }, y: { type: 'int', low: 0, high: 10 } },
    direction: 'minimize',
    sampler: new AutoSampler({ switchAt: 12, trials: 30, confirmShare: 0.2 }),
    name: 'auto-confirm',
  });
  const noise = new Rng(3);
  await study.optimize(async (trial) => {
    const { x, y } = trial.params as { x: number; y: number };
    return (x - 1) ** 2 + y + noise.normal();
  }, { nTrials: 30, parallel: 2 });
  const trials = await study.trials();
  assert.equal(trials.length, 30);
  assert.ok(trials.every((t) => t.state === 'complete'));
  const keys = trials.map((t) => JSON.stringify(t.params));
  assert.ok(new Set(keys).size <= 30 - 5, `expected ≥ 5 re-evaluations among the last 6, got ${30 - new Set(keys).size}`);
});

/** The rule before the statistical one: three configurations reproduced exactly, none differed. */
function threeRepeatsRule(trials: readonly TrialRecord[]): boolean {
  const byKey = new Map<string, number[]>();
  for (const t of trials) byKey.set(JSON.stringify(t.params), [...(byKey.get(JSON.stringify(t.params)) ?? []), t.value as number]);
  let same = 0;
  for (const vs of byKey.values()) {
    if (vs.length < 2) continue;
    if (vs.some((v) => v !== vs[0])) return false;
    same++;
  }
  return same >= 3;
}

/**
 * A confirmation phase as auto runs it (5 configurations take turns, 10 re-evaluations) after 40 single
 * evaluations; `value(c, rng)` is configuration c's evaluation. True when the rule ever calls it deterministic.
 */
function everDeterministic(rule: (ts: readonly TrialRecord[]) => boolean, value: (c: number, rng: Rng) => number, rng: Rng): boolean {
  const trials: TrialRecord[] = [];
  for (let c = 0; c < 40; c++) trials.push(makeTrial(trials.length, { c }, value(c, rng)));
  for (let r = 0; r < 10; r++) {
    const c = r % 5;
    trials.push(makeTrial(trials.length, { c }, value(c, rng)));
    if (rule(trials)) return true;
  }
  return false;
}

test('determinism check: a discrete-noise objective (two values per configuration on a shared grid) is not called deterministic', () => {
  // Accuracy-like: configuration c's true value on a 0.05 grid, and each evaluation adds 0 or 0.05 (a coin):
  // a repeat matches by chance half the time, and other configurations share the grid points.
  const discrete = (c: number, rng: Rng): number => Math.round((c % 20) + (rng.next() < 0.5 ? 1 : 0)) / 20;
  const runs = 400;
  let oldHits = 0, newHits = 0;
  for (let i = 0; i < runs; i++) {
    if (everDeterministic(threeRepeatsRule, discrete, new Rng(1000 + i))) oldHits++;
    if (everDeterministic(looksDeterministic, discrete, new Rng(1000 + i))) newHits++;
  }
  // Three matching repeats happen 1 time in 8 here: the old rule misfires about that often; the new one
  // prices the matches at the grid's tie rate and needs more of them than chance gives.
  assert.ok(oldHits / runs > 0.08, `the old rule misfires (${oldHits}/${runs}; new ${newHits})`);
  assert.ok(newHits / runs < 0.05 && newHits * 3 < oldHits, `the new rule rarely does (${newHits}/${runs}; old ${oldHits})`);
  // One case by hand: three repeats matched, on values shared by neighbours.
  const hand = Array.from({ length: 30 }, (_, c) => makeTrial(c, { c }, Math.round(c / 3) / 20));
  const withRepeats = [...hand, ...[3, 9, 15].map((c, i) => makeTrial(30 + i, { c }, Math.round(c / 3) / 20))];
  assert.equal(threeRepeatsRule(withRepeats), true);
  assert.equal(looksDeterministic(withRepeats), false);
});

test('determinism check: a deterministic objective with continuous values is recognised after a few repeats', () => {
  const smooth = (c: number): number => Math.sin(c * 1.3) + c / 7;
  let calls = 0;
  for (let i = 0; i < 50; i++) {
    if (everDeterministic(looksDeterministic, (c) => smooth(c), new Rng(i))) calls++;
  }
  assert.equal(calls, 50, 'always, within the 10 repeats');
  // Four repeats on two configurations: 0.25⁴ < 1 %; three: not yet.
  const base = Array.from({ length: 20 }, (_, c) => makeTrial(c, { c }, smooth(c)));
  const rep = (cs: number[]) => cs.map((c, i) => makeTrial(20 + i, { c }, smooth(c)));
  assert.equal(looksDeterministic([...base, ...rep([1, 2, 1])]), false);
  assert.equal(looksDeterministic([...base, ...rep([1, 2, 1, 2])]), true);
});
