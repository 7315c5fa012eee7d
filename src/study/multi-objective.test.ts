import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../core/errors.js';
import { Study } from './study.js';
import { withObjectiveValues } from './engine.js';

const space = { x: { type: 'float', low: 0, high: 1 } } as const;
const two = [{ metric: 'acc', direction: 'maximize' as const }, { metric: 'parameters', direction: 'minimize' as const }];

describe('multi-objective studies (library)', () => {
  it('an objective returning an array records a value vector; bestTrials is the Pareto front', async () => {
    const study = await Study.create({ space, directions: ['minimize', 'minimize'], seed: 3 });
    assert.deepEqual(study.record.objectives.map((o) => o.metric), ['value_0', 'value_1']);
    const r = await study.optimize(({ params }) => [params.x as number, (1 - (params.x as number)) ** 2], { nTrials: 12 });
    assert.equal(r.complete, 12);
    const trials = await study.trials();
    for (const t of trials) assert.deepEqual(t.values, [t.params.x, (1 - (t.params.x as number)) ** 2]);
    // x ↦ (x, (1 − x)²) is monotone in opposite directions on [0, 1]: every trial is on the front.
    assert.equal((await study.bestTrials()).length, 12);
    await assert.rejects(study.bestTrial(), /2 objectives: no single best trial/);
  });

  it('define-by-run objectives return arrays too; a wrong count fails the trial, saying so', async () => {
    const study = await Study.create({ directions: ['maximize', 'minimize'], metrics: ['acc', 'size'], seed: 4 });
    await study.optimize((t) => { const u = t.suggestInt('units', 1, 64); return [1 - 1 / u, u]; }, { nTrials: 5, logFailures: false });
    await study.optimize(() => [1], { nTrials: 1, logFailures: false });
    const trials = await study.trials();
    assert.deepEqual(trials.slice(0, 5).map((t) => t.values), trials.slice(0, 5).map((t) => [1 - 1 / (t.params.units as number), t.params.units]));
    assert.equal(trials[5]?.state, 'failed');
    assert.match(trials[5]?.error ?? '', /returned 1 value, the study has 2 objectives/);
  });

  it('ask/tell takes an array of values; options are checked', async () => {
    const study = await Study.create({ space, directions: ['maximize', 'minimize'] });
    const a = await study.ask();
    await assert.rejects(study.tell(a.id, 0.5), /Expected 2 finite values/);
    await study.tell(a.id, [0.5, 3]);
    assert.deepEqual((await study.trials())[0]?.values, [0.5, 3]);
    await assert.rejects(Study.create({ space, direction: 'maximize', directions: ['maximize'] }), (e: unknown) => e instanceof InputError && /one of `direction` and `directions`/.test(e.message));
    await assert.rejects(Study.create({ space, directions: ['maximize', 'up' as 'maximize'] }), /`directions\[1\]` to be maximize or minimize, got "up"/);
    await assert.rejects(Study.create({ space, directions: ['maximize', 'minimize'], metrics: ['a'] }), /`metrics` to name 2 objectives/);
  });
});

describe('withObjectiveValues (the engine: a trainer\'s outcome as a value vector)', () => {
  const steps = new Map([[1, { acc: 0.8, val_loss: 0.5 }], [2, { acc: 0.9, val_loss: 0.4 }]]);
  it('takes further objectives from the outcome\'s metrics, else from its best step', () => {
    const o = withObjectiveValues(two, { state: 'complete', value: 0.9, metrics: { best_epoch: 2, parameters: 1234 } }, steps);
    assert.deepEqual(o.state === 'complete' && o.values, [0.9, 1234]);
    const l = withObjectiveValues([two[0]!, { metric: 'val_loss', direction: 'minimize' }], { state: 'complete', value: 0.9, metrics: { best_epoch: 2 } }, steps);
    assert.deepEqual(l.state === 'complete' && l.values, [0.9, 0.4]);
  });
  it('fails a trial that never reported a further objective; leaves single-objective and failed outcomes alone', () => {
    const o = withObjectiveValues(two, { state: 'complete', value: 0.9, metrics: { best_epoch: 2 } }, steps);
    assert.equal(o.state, 'failed');
    assert.match(o.state === 'failed' ? o.error : '', /never reported the objective metric `parameters`/);
    const single = { state: 'complete' as const, value: 1 };
    assert.equal(withObjectiveValues([two[0]!], single, steps), single);
    const failed = { state: 'failed' as const, error: 'x' };
    assert.equal(withObjectiveValues(two, failed, steps), failed);
  });
});
