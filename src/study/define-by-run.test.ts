import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Study } from './study.js';
import { TpeSampler } from '../samplers/tpe.js';
import type { ObjectiveTrial } from './objective-runner.js';
import { ASKED_SPACE_ATTR, spaceOfTrials } from './define-by-run.js';

/** Optuna's layered example: depth first, then one width per layer; best at 2 layers of ~128 units and lr 1e-2. */
const layered = (t: ObjectiveTrial): number => {
  const n = t.suggestInt('num_layers', 1, 3);
  let v = Math.abs(n - 2);
  for (let i = 1; i <= n; i++) v += Math.abs(Math.log2(t.suggestInt(`units_${i}`, 32, 512, { log: true }) / 128));
  const opt = t.suggestCategorical('optimizer', ['sgd', 'adam']);
  v += Math.abs(Math.log10(t.suggestFloat('lr', 1e-4, 1e-1, { log: true })) + 2);
  if (opt === 'adam') v += 0.5 * t.suggestFloat('beta', 0, 1);
  else v += 0.5;
  return v;
};

test('define-by-run: a trial holds exactly the params its objective asked for, each within its distribution', async () => {
  const study = await Study.create({ name: 'dbr', seed: 3 });
  const s = await study.optimize(layered, { nTrials: 40 });
  assert.equal(s.complete, 40);
  const trials = await study.trials();
  const depths = new Set<number>();
  for (const t of trials) {
    const n = t.params['num_layers'] as number;
    depths.add(n);
    const want = ['num_layers', ...Array.from({ length: n }, (_, i) => `units_${i + 1}`), 'optimizer', 'lr', ...(t.params['optimizer'] === 'adam' ? ['beta'] : [])];
    assert.deepEqual(Object.keys(t.params).sort(), want.sort());
    for (let i = 1; i <= n; i++) assert.ok(Number.isInteger(t.params[`units_${i}`]) && (t.params[`units_${i}`] as number) >= 32 && (t.params[`units_${i}`] as number) <= 512);
    assert.equal(typeof t.value, 'number');
    assert.deepEqual(Object.keys(t.attrs[ASKED_SPACE_ATTR] as object).sort(), want.sort());
  }
  assert.deepEqual([...depths].sort(), [1, 2, 3]);
  // The space seen so far: every parameter some trial asked for, in order of first appearance.
  assert.deepEqual(spaceOfTrials(trials).names.slice(0, 1), ['num_layers']);
  assert.ok(spaceOfTrials(trials).names.includes('units_3'));
});

test('define-by-run: TPE proposes for the params it has seen and beats random (mean best of 5 runs, 60 trials)', async () => {
  const best = async (tpe: boolean, seed: number): Promise<number> => {
    const study = await Study.create({ name: `dbr-${String(tpe)}-${seed}`, seed, ...(tpe ? { sampler: new TpeSampler({ nStartupTrials: 10 }) } : {}) });
    await study.optimize(layered, { nTrials: 60 });
    return (await study.bestTrial())?.value as number;
  };
  let r = 0, t = 0;
  for (let seed = 0; seed < 5; seed++) {
    r += await best(false, seed);
    t += await best(true, seed);
  }
  assert.ok(t < r * 0.8, `tpe ${(t / 5).toFixed(3)} vs random ${(r / 5).toFixed(3)}`);
});

test('define-by-run: a new parameter is drawn from its distribution; a name asked twice gives the same value', async () => {
  const study = await Study.create({ name: 'dbr-new', seed: 1, sampler: new TpeSampler({ nStartupTrials: 2 }) });
  let k = 0;
  await study.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    assert.equal(t.suggestFloat('x', 0, 1), x);
    // From trial 5 on the objective asks for a parameter no earlier trial had.
    const y = k++ >= 5 ? t.suggestCategorical('y', ['a', 'b']) : 'a';
    return x + (y === 'b' ? 1 : 0);
  }, { nTrials: 10 });
  const trials = await study.trials();
  assert.ok(trials.slice(5).every((tr) => tr.params['y'] === 'a' || tr.params['y'] === 'b'));
  assert.ok(trials.slice(0, 5).every((tr) => !('y' in tr.params)));
});

test('define-by-run errors: a name with two distributions, missing nTrials, ask() on a study without space', async () => {
  const study = await Study.create({ name: 'dbr-err' });
  const s = await study.optimize((t) => t.suggestInt('n', 1, 3) + t.suggestFloat('n', 0, 1), { nTrials: 1, logFailures: false });
  assert.equal(s.failed, 1);
  const [failed] = await study.trials();
  assert.match(failed?.error ?? '', /`n` was suggested twice in one trial with different distributions/);
  // The failed trial keeps the params asked before the error.
  assert.equal(typeof failed?.params['n'], 'number');
  await assert.rejects(study.optimize(() => 1), /Expected `nTrials`/);
  await assert.rejects(study.ask(), /has no declared space/);
  const bad = await study.optimize((t) => t.suggestInt('k', 5, 1), { nTrials: 1, logFailures: false });
  assert.equal(bad.failed, 1);
  assert.match((await study.trials())[1]?.error ?? '', /Expected `k` to have integer bounds low ≤ high, got 5, 1/);
});

test('suggest on a study with a declared space returns the trial value and names a parameter it lacks', async () => {
  const study = await Study.create({ name: 'declared', space: { x: { type: 'float', low: 0, high: 1 } } });
  const seen: number[] = [];
  await study.optimize((t) => {
    const x = t.suggestFloat('x', 0, 1);
    assert.equal(x, t.params['x']);
    seen.push(x);
    return x;
  }, { nTrials: 3 });
  assert.equal(seen.length, 3);
  const s = await study.optimize((t) => t.suggestInt('y', 1, 2), { nTrials: 1, logFailures: false });
  assert.equal(s.failed, 1);
  assert.match((await study.trials())[3]?.error ?? '', /Parameter `y` is not in this trial/);
});
