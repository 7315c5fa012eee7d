import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resultSetFromTrials } from '../results/index.js';
import type { Params, TrialRecord } from '../core/types.js';
import { Rng } from '../core/rng.js';
import { CoordinateSearchSampler, coordinateExtrema, zonesFromExtrema } from './coordinate-search.js';
import { defaultZoneSpace, runStage, type RefineOutput } from './zones/index.js';
import { twoPeaks } from './zones/testkit.js';

const space = defaultZoneSpace();
const trial = (n: number, params: Params, value: number | null, state: TrialRecord['state'] = 'complete', attrs: Record<string, unknown> = {}): TrialRecord => ({
  id: n, studyId: 1, number: n, state, params, seed: 0, budget: 5, value, metrics: {}, steps: [], attrs,
  error: null, workerId: null, attempts: 1, createdAt: 0, startedAt: 0, finishedAt: 0, heartbeatAt: 0,
});

function runWalk(f: (p: Params) => number, sampler: CoordinateSearchSampler, limit = 200): TrialRecord[] {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < limit; i++) {
    const s = sampler.sample({ space, direction: 'maximize', trials, rng: new Rng(i) });
    if (s === null) break;
    trials.push(trial(i, s.params, f(s.params), 'complete', s.attrs ?? {}));
  }
  return trials;
}

test('coordinate search finds both peaks of a two-peak grid function', () => {
  const trials = runWalk(twoPeaks, new CoordinateSearchSampler());
  const keys = new Set(trials.map((t) => JSON.stringify(t.params)));
  assert.equal(keys.size, trials.length, 'never evaluates a point twice');
  const extrema = coordinateExtrema(space, trials, 'maximize');
  const has = (u: number, b: number): boolean => extrema.some((e) => e.units === u && e.batch_size === b);
  assert.ok(has(384, 64), `extrema ${JSON.stringify(extrema)}`);
  assert.ok(has(4096, 512), `extrema ${JSON.stringify(extrema)}`);
  // The state lives in attrs: the last proposal carries the extrema found before it.
  const last = trials[trials.length - 1];
  assert.ok(Array.isArray(last?.attrs['coord.extrema']));
  // Cheaper than the full grid of 91 points... or at worst equal.
  assert.ok(trials.length <= 91);
});

test('with a budget it stops early; it resumes from trials alone', () => {
  const limited = runWalk(twoPeaks, new CoordinateSearchSampler({ maxTrials: 10 }));
  assert.equal(limited.length, 10);
  // Resume: a fresh sampler over the first 6 trials proposes what the first would have proposed.
  const full = runWalk(twoPeaks, new CoordinateSearchSampler(), 12);
  const again = new CoordinateSearchSampler().sample({ space, direction: 'maximize', trials: full.slice(0, 6), rng: new Rng(0) });
  assert.deepEqual(again?.params, full[6]?.params);
});

test('while the needed trial runs it prefetches a different neighbour', () => {
  const s = new CoordinateSearchSampler();
  const first = s.sample({ space, direction: 'maximize', trials: [], rng: new Rng(0) });
  assert.ok(first);
  const t0 = trial(0, first.params, twoPeaks(first.params));
  const second = s.sample({ space, direction: 'maximize', trials: [t0], rng: new Rng(1) });
  assert.ok(second);
  const t1 = trial(1, second.params, null, 'running');
  const third = s.sample({ space, direction: 'maximize', trials: [t0, t1], rng: new Rng(2) });
  assert.ok(third);
  assert.notDeepEqual(third.params, second.params);
  assert.equal(third.attrs['coord.speculative'], true);
});

test('remembered extrema are refined by stage 2', () => {
  const trials = runWalk(twoPeaks, new CoordinateSearchSampler());
  const zones = zonesFromExtrema(coordinateExtrema(space, trials, 'maximize'), trials, 'maximize');
  assert.deepEqual(zones[0]?.peak, { units: 384, batch_size: 64 });
  const rs = resultSetFromTrials({ space, metric: 'val_accuracy', direction: 'maximize' }, trials);
  const out = runStage('refine', rs, { zones, epochs: 5, maxZones: 2 });
  assert.ok((out.plan?.length ?? 0) > 0);
  assert.ok(out.plan?.every((p) => Number.isInteger(p.params.units)));
  // Evaluate the refine plan and finish the stage.
  const more = (out.plan ?? []).map((p, i) => trial(1000 + i, p.params, twoPeaks(p.params), 'complete', { ...(p.attrs ?? {}) }));
  const done = runStage('refine', resultSetFromTrials({ space, metric: 'val_accuracy', direction: 'maximize' }, [...trials, ...more]), { zones, epochs: 5, maxZones: 2 });
  const r = done.stage_output as unknown as RefineOutput;
  assert.equal(r.stage, 'refine');
  assert.ok(r.candidates[0] && Math.abs(Number(r.candidates[0].params.units) - 400) < 30);
});
