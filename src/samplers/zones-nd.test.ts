import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZonesNdSampler, collectZonePoints, findZones } from './zones-nd.js';
import { Space } from '../space/space.js';
import { MemoryStorage } from '../storage/memory.js';
import { runWorker } from '../study/engine.js';
import { objectiveRunner } from '../study/objective-runner.js';
import { TabularObjective } from '../../bench/objectives/tabular.js';
import { makeTrial, runSequential } from '../../bench/support/loop.js';
import { syntheticTableCsv } from '../../bench/support/synthetic-table.js';
import { randomSampler } from './random.js';
import { Rng, deriveSeed } from '../core/rng.js';
import type { Params } from '../core/types.js';

/** Two bumps in [0,1]^4: the global one at 0.75, a lower one at 0.2. */
const space4 = Space.fromSpec(Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, { type: 'float', low: 0, high: 1 }])) as never);
const twoBumps = (p: Params): number => {
  const x = space4.names.map((n) => p[n] as number);
  const d1 = x.reduce((s, v) => s + (v - 0.75) ** 2, 0), d2 = x.reduce((s, v) => s + (v - 0.2) ** 2, 0);
  return Math.exp(-d1 / 0.08) + 0.7 * Math.exp(-d2 / 0.05);
};

test('through the engine: budget kept, stages in order, confirmation repeats top configurations, attrs namespaced', async () => {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const noise = new Rng(3);
  const runner = objectiveRunner(({ params }) => twoBumps(params) + 0.01 * noise.normal(), 'acc');
  const sampler = new ZonesNdSampler({ trials: 40, initial: 14 });
  const s = await runWorker({ storage, study, space: space4, sampler, runner, seed: 2, budget: null, maxAttempts: 1, heartbeatMs: 1000, workerId: 'w', parallel: 1, maxTrials: 60 });
  assert.equal(s.complete, 40, 'the sampler stops at its own budget');
  const trials = await storage.listTrials(study.id);
  const stages = trials.map((t) => t.attrs['nzones.stage']);
  assert.deepEqual(stages.slice(0, 14), Array(14).fill('explore'));
  assert.ok(stages.slice(14, 34).every((x) => x === 'refine'), `refine stage: ${stages.slice(14, 34)}`);
  assert.deepEqual(stages.slice(34), Array(6).fill('confirm'));
  assert.ok(trials.every((t) => Object.keys(t.attrs).every((k) => k.startsWith('nzones.'))));
  const keys = new Set(trials.slice(0, 34).map((t) => JSON.stringify(t.params)));
  assert.ok(trials.slice(34).every((t) => keys.has(JSON.stringify(t.params))), 'confirmation re-evaluates known configurations');
  const chosen = sampler.returnedConfiguration(trials, space4, 'maximize');
  assert.ok(chosen && chosen.n >= 3, 'the returned configuration was re-evaluated');
  assert.ok(twoBumps(chosen.params) > 0.85, `returned value ${twoBumps(chosen.params)}`);
});

test('three workers in parallel: no duplicate proposals before confirmation, repeats spread over the top configurations', async () => {
  const storage = new MemoryStorage();
  const study = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const runner = objectiveRunner(async ({ params }) => {
    await new Promise((r) => setTimeout(r, 2));
    return twoBumps(params);
  }, 'acc');
  const s = await runWorker({ storage, study, space: space4, sampler: new ZonesNdSampler({ trials: 30, initial: 10 }), runner, seed: 4, budget: null, maxAttempts: 1, heartbeatMs: 1000, workerId: 'w', parallel: 3 });
  assert.equal(s.complete, 30);
  const trials = await storage.listTrials(study.id);
  const early = trials.filter((t) => t.attrs['nzones.stage'] !== 'confirm').map((t) => JSON.stringify(t.params));
  assert.equal(new Set(early).size, early.length, 'explore and refine never propose a configuration twice');
  const confirmed = new Set(trials.filter((t) => t.attrs['nzones.stage'] === 'confirm').map((t) => JSON.stringify(t.params)));
  assert.ok(confirmed.size >= 2, `repeats went to ${confirmed.size} configuration(s)`);
});

test('zones: two bumps give two zones after the design; refinement climbs the global one', () => {
  const sampler = new ZonesNdSampler({ trials: 70, initial: 30, maxZones: 4, confirmRepeats: 0 });
  const r = runSequential(sampler, space4, 'maximize', twoBumps, 70, 5);
  const trials = r.params.map((p, i) => makeTrial(i, p, r.values[i] as number));
  const afterDesign = sampler.zones({ space: space4, direction: 'maximize', trials: trials.slice(0, 30) });
  assert.ok(afterDesign.length >= 2, `zones after design: ${afterDesign.length}`);
  const peaks = afterDesign.map((z) => space4.names.map((n) => z.peak.params[n] as number));
  const near = (c: number) => peaks.some((p) => p.every((v) => Math.abs(v - c) < 0.3));
  assert.ok(near(0.75) && near(0.2), `peaks ${JSON.stringify(peaks)}`);
  const designBest = Math.max(...r.values.slice(0, 30));
  const chosen = sampler.returnedConfiguration(trials, space4, 'maximize');
  assert.ok(chosen && twoBumps(chosen.params) > designBest + 0.05, `refined ${chosen && twoBumps(chosen.params)} vs design ${designBest}`);
});

test('findZones: a valley between two peaks makes two zones unless the band swallows the smaller', () => {
  const line = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } });
  const ys = [0.1, 0.5, 0.9, 0.4, 0.3, 0.6, 0.2];
  const trials = ys.map((y, i) => makeTrial(i, { x: i / 6 }, y));
  const pts = collectZonePoints(line, 'maximize', trials);
  const zs = findZones(line, pts, 2, 0);
  assert.deepEqual(zs.map((z) => z.peak.mean), [0.9, 0.6]);
  assert.ok(Math.abs((zs[1]?.prominence as number) - 0.3) < 1e-12, 'prominence over the saddle 0.3');
  assert.deepEqual(findZones(line, pts, 2, 0.35).map((z) => z.peak.mean), [0.9]);
  // Minimising flips goodness; 0.3 is no zone: the end point 0.2 counts it among its 2 nearest.
  assert.deepEqual(findZones(line, collectZonePoints(line, 'minimize', trials), 2, 0).map((z) => z.peak.mean), [0.1, 0.2]);
  assert.deepEqual(findZones(line, collectZonePoints(line, 'minimize', trials), 1, 0).map((z) => z.peak.mean), [0.1, 0.2, 0.3]);
});

test('returnedConfiguration prefers the best re-evaluated mean over a lucky single value', () => {
  const line = Space.fromSpec({ x: { type: 'series', values: [1, 2, 3] } });
  const trials = [
    makeTrial(0, { x: 1 }, 0.1), makeTrial(1, { x: 2 }, 0.25), makeTrial(2, { x: 2 }, 0.15), makeTrial(3, { x: 3 }, 0.3), makeTrial(4, { x: 3 }, 0.2),
  ];
  const s = new ZonesNdSampler({ trials: 10 });
  assert.deepEqual(s.returnedConfiguration(trials, line, 'minimize'), { params: { x: 2 }, mean: 0.2, n: 2 });
  assert.deepEqual(s.returnedConfiguration(trials.slice(0, 2), line, 'minimize')?.params, { x: 1 });
  assert.equal(s.returnedConfiguration([], line, 'minimize'), null);
  assert.throws(() => new ZonesNdSampler({ trials: 0 }), /`trials` to be an integer ≥ 1, got 0/);
});

test('stateless: a fresh sampler on any prefix of the trials proposes what the original run did (resume)', () => {
  const r = runSequential(new ZonesNdSampler({ trials: 36, initial: 12 }), space4, 'maximize', twoBumps, 36, 9);
  for (const i of [5, 12, 20, 31, 35]) {
    const again = runSequential(new ZonesNdSampler({ trials: 36, initial: 12 }), space4, 'maximize', twoBumps, i + 1, 9);
    assert.deepEqual(again.params[i], r.params[i], `proposal ${i}`);
  }
});

test('noisy table (finite axes, categoricals): its returned choice beats random search\'s best observed', async () => {
  const t = await TabularObjective.fromCsvText(syntheticTableCsv(4, 0.15), { metric: 'loss', direction: 'minimize' });
  let zones = 0, random = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const s = new ZonesNdSampler({ trials: 50 });
    const r = runSequential(s, t.space, 'minimize', (p, rng) => t.evaluate(p, rng), 50, deriveSeed(seed, 'z'));
    const chosen = s.returnedConfiguration(r.params.map((p, i) => makeTrial(i, p, r.values[i] as number)), t.space, 'minimize');
    zones += t.rankRegret((chosen as { params: Params }).params) / 5;
    const rr = runSequential(randomSampler(), t.space, 'minimize', (p, rng) => t.evaluate(p, rng), 50, deriveSeed(seed, 'z'));
    random += t.rankRegret(rr.params[rr.values.indexOf(Math.min(...rr.values))] as Params) / 5;
  }
  assert.ok(zones < random, `zones-nd rank regret ${zones}, random ${random}`);
});
