import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { halfCompute, parseArgs, specStrategy } from './controller-regret.js';
import { runMultiFidelity } from './support/multifidelity.js';
import type { CurveProblem } from './support/multifidelity.js';
import { Surrogate } from '../src/controller/surrogate.js';
import type { Example } from '../src/controller/features.js';
import { ControllerSampler } from '../src/samplers/controller.js';
import { SuccessiveHalvingScheduler } from '../src/schedulers/successive-halving.js';
import { Space } from '../src/space/space.js';
import { Rng } from '../src/core/rng.js';
import type { Params } from '../src/core/types.js';

// A tiny fake task: 2 params, 9-epoch curves whose final value depends on the params; curves cross little, so ASHA stops many.
const space = Space.fromSpec({ lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, width: { type: 'float', low: 0, high: 1 } });
const MAX_EPOCH = 9;
const finalOf = (p: Params, level: number): number => level - 0.15 * (Math.log10(p['lr'] as number) + 2.5) ** 2 + 0.2 * (p['width'] as number);
const curveOf = (p: Params, level: number): number[] => {
  const f = finalOf(p, level);
  return Array.from({ length: MAX_EPOCH }, (_, t) => f - (f - 0.1) * Math.exp(-(t + 1) / 2));
};
const problem: CurveProblem = { space, direction: 'maximize', maxEpoch: MAX_EPOCH, curve: (p) => Promise.resolve(curveOf(p, 0.6)) };

async function modelFile(dir: string): Promise<string> {
  const rng = new Rng(3);
  const examples: Example[] = [0.7, 0.8].flatMap((level) => Array.from({ length: 60 }, () => {
    const p = space.sample(rng);
    const curve = curveOf(p, level);
    return { params: p, curve, budget: MAX_EPOCH, final: curve[MAX_EPOCH - 1] as number, group: `task-${level}` };
  }));
  const m = await Surrogate.train(space, 'maximize', examples, { members: 2, hidden: [16], epochs: 10, batchSize: 64, learningRate: 5e-3, seed: 5, validationShare: 0, backend: 'wasm' });
  const file = join(dir, 'model.json');
  m.save(file);
  return file;
}

test('controller+asha and auto+asha are the spec\'s sampler under ASHA (library defaults); the scheduler really stops trials, so the same trials cost fewer epochs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-ctl-mf-'));
  try {
    const file = await modelFile(dir);
    const opts = { space, direction: 'maximize' as const, maxEpoch: MAX_EPOCH, modelFile: file, trials: 100, warm: 4 };
    const ca = specStrategy('controller+asha', opts);
    assert.ok(ca.sampler instanceof ControllerSampler);
    assert.notEqual(ca.sampler.after.name, 'auto'); // BOHB-style auto after the warm start, as the spec builds it
    assert.ok(ca.scheduler instanceof SuccessiveHalvingScheduler);
    assert.deepEqual([ca.scheduler.minResource, ca.scheduler.reductionFactor, ca.scheduler.minEarlyStoppingRate], [1, 3, 0]);
    assert.deepEqual(ca.spec['scheduler'], { type: 'asha' });
    assert.equal(specStrategy('controller', opts).scheduler, undefined);
    assert.equal(specStrategy('auto', opts).scheduler, undefined);
    assert.ok(specStrategy('auto+asha', opts).scheduler instanceof SuccessiveHalvingScheduler);
    assert.throws(() => specStrategy('controller+asha', { ...opts, modelFile: undefined }), /needs a model file/);

    const n = 24;
    for (const [mfRow, fullRow] of [['controller+asha', 'controller'], ['auto+asha', 'auto']] as const) {
      const full = specStrategy(fullRow, opts), mf = specStrategy(mfRow, opts);
      const rf = await runMultiFidelity(full.sampler, full.scheduler, problem, 1e9, 1000, n);
      const rm = await runMultiFidelity(mf.sampler, mf.scheduler, problem, 1e9, 1000, n);
      assert.equal(rf.trials, n);
      assert.equal(rm.trials, n);
      assert.equal(rf.epochs, n * MAX_EPOCH, `${fullRow}: every trial trains all ${MAX_EPOCH} epochs`);
      assert.equal(rf.pruned, 0);
      assert.ok(rm.pruned > 0, `${mfRow}: ASHA stopped no trial`);
      assert.ok(rm.epochs < rf.epochs, `${mfRow} spent ${rm.epochs} epochs on ${n} trials, ${fullRow} ${rf.epochs}`);
      assert.equal(rm.records.filter((t) => t.state === 'pruned').length, rm.pruned);
      // Compute is counted in epochs trained, stopped trials included: the last incumbent's cost is all epochs / max epoch.
      assert.equal(rm.events[rm.events.length - 1]?.cost, rm.epochs / MAX_EPOCH);
      if (mfRow === 'controller+asha') {
        // The warm start still proposes the first `warm` trials (its attrs), the scheduler notwithstanding.
        assert.deepEqual(rm.records.map((t) => 'controller.warm' in t.attrs), Array.from({ length: n }, (_, i) => i < 4));
      }
      // At equal compute the scheduler runs more trials.
      const eq = await runMultiFidelity(mf.sampler, mf.scheduler, problem, 10, 1000);
      const eqFull = await runMultiFidelity(full.sampler, full.scheduler, problem, 10, 1000);
      assert.equal(eqFull.trials, 10);
      assert.ok(eq.trials > 10, `${mfRow}: ${eq.trials} trials in 10 FTE`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('half compute: a row at b/2 against the reference at b, judged only where b/2 is a budget', () => {
  const budgets = [25, 50, 100, 200];
  const row = [0.05, 0.015, 0.01, 0.0];
  const ref = [0.1, 0.03, 0.015, 0.01];
  assert.deepEqual(halfCompute(budgets, (j) => row[j] as number, (j) => ref[j] as number), [null, false, true, true]);
  assert.deepEqual(halfCompute(budgets, (j) => ref[j] as number, (j) => ref[j] as number), [null, false, false, false]);
  assert.deepEqual(parseArgs(['--tasks', '126026', '--rows', 'controller+asha,auto+asha']).rows, ['controller+asha', 'auto+asha']);
  assert.deepEqual(parseArgs(['--tasks', '126026', '--rows', 'controller-ei,auto']).rows, ['controller-ei', 'auto']);
  assert.throws(() => parseArgs(['--rows', 'controller-eii']), /Unknown row controller-eii/);
  assert.deepEqual(parseArgs(['--tasks', '126026', '--rows', 'controller-c200,auto', '--configs', '200']).rows, ['controller-c200', 'auto']);
  assert.throws(() => parseArgs(['--tasks', '126026', '--rows', 'controller-c200']), /--configs 200 with row controller-c200, got 30/);
  assert.throws(() => parseArgs(['--tasks', '126026', '--rows', 'controller-c200,controller', '--configs', '200']), /without other controller rows/);
});
