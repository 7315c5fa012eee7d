import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecFile, validateSpec } from './spec.js';
import { zoneOptionsOf } from './from-spec.js';
import type { AutoSampler } from '../samplers/auto.js';

const base = {
  study: 'demo',
  space: { units: { type: 'series', from: 128, to: 1024, midpoints: true }, batch_size: [32, 64] },
  budget: { epochs: 2 },
  trainer: { type: 'tfjs', dataset: 'mnist', train_limit: 1000 },
};

test('a valid spec is normalised: series expanded, defaults filled', () => {
  const s = validateSpec(base);
  assert.deepEqual(s.space.units, { type: 'series', values: [128, 192, 256, 384, 512, 768, 1024] });
  assert.deepEqual(s.space.batch_size, { type: 'series', values: [32, 64] });
  assert.deepEqual(s.objective, { metric: 'val_accuracy', direction: 'maximize' });
  assert.equal(s.sampler.type, 'grid');
  assert.equal(s.seeds, 1);
  assert.equal(s.trainer.type === 'tfjs' && s.trainer.validation_split, 0.2);
});

test('errors name the field and the value', () => {
  assert.throws(() => validateSpec({ ...base, space: { units: [64] }, fixed: { batch_size: 0 } }), /`fixed\.batch_size` to be an integer ≥ 1, got 0/);
  assert.throws(() => validateSpec({ ...base, space: { units: [-5, 10] } }), /`space\.units` to be an integer ≥ 1, got -5/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 0 } }), /`budget\.epochs`.*got 0/);
  assert.throws(() => validateSpec({ ...base, trainer: { type: 'tfjs', dataset: 'cifar' } }), /`trainer\.dataset`.*"cifar"/);
  assert.throws(() => validateSpec({ ...base, colour: 'red' }), /Unknown field `colour`/);
  assert.throws(() => validateSpec({ ...base, fixed: { lr_schedule: 'halve-often' } }), /`fixed\.lr_schedule`.*"halve-often"/);
  assert.throws(() => validateSpec({ ...base, space: { units: { type: 'int', low: 10, high: 5 } } }), /`space\.units\.high` ≥ `low` \(10\), got 5/);
  assert.throws(() => validateSpec({ ...base, trainer: undefined }), /Missing field `trainer`/);
  assert.throws(() => validateSpec({ ...base, budget: undefined }), /budget\.epochs/);
  assert.throws(() => validateSpec({ ...base, fixed: { units: 64 } }), /both in `space` and in `fixed`/);
});

test('spec files: YAML and JSON, name from the file, unreadable and malformed files named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-spec-'));
  const yml = join(dir, 'my-study.yaml');
  writeFileSync(yml, 'space:\n  units: [64, 128]\nbudget: { epochs: 1 }\ntrainer: { type: tfjs }\n');
  assert.equal(loadSpecFile(yml).study, 'my-study');
  const json = join(dir, 'j.json');
  writeFileSync(json, JSON.stringify(base));
  assert.equal(loadSpecFile(json).study, 'demo');
  writeFileSync(join(dir, 'bad.yaml'), 'space: [unclosed');
  assert.throws(() => loadSpecFile(join(dir, 'bad.yaml')), /bad\.yaml is not valid YAML/);
  assert.throws(() => loadSpecFile(join(dir, 'missing.yaml')), /Cannot read spec file .*missing\.yaml/);
});

test('scheduler and model-based sampler sections: validated, errors name field and value, wired to instances', async () => {
  const { samplerFromSpec, schedulerFromSpec, maxTrialsOf, plannedTotal } = await import('./from-spec.js');
  const hb = validateSpec({ ...base, budget: { epochs: 27 }, sampler: { type: 'tpe', trials: 40, startup: 5 }, scheduler: { type: 'hyperband', min_resource: 1, reduction_factor: 3 } });
  assert.equal(schedulerFromSpec(hb)?.name, 'hyperband');
  assert.equal(samplerFromSpec(hb).name, 'bohb', 'TPE under a rung-based scheduler fits on rungs');
  assert.equal(maxTrialsOf(hb), 40);
  assert.equal(plannedTotal(hb), 40);
  const med = validateSpec({ ...base, sampler: { type: 'sobol', trials: 8 }, scheduler: { type: 'median', startup_trials: 3, warmup_steps: 1 } });
  assert.equal(schedulerFromSpec(med)?.name, 'median');
  assert.equal(samplerFromSpec(med).name, 'sobol');
  const asha = validateSpec({ ...base, budget: { epochs: 9 }, sampler: { type: 'tpe', trials: 5, multivariate: true }, scheduler: { type: 'asha' } });
  assert.equal(schedulerFromSpec(asha)?.name, 'asha');
  const sh = validateSpec({ ...base, budget: { epochs: 9 }, sampler: { type: 'gp', trials: 12 }, scheduler: { type: 'successive-halving', reduction_factor: 2 } });
  assert.equal(schedulerFromSpec(sh)?.name, 'successive-halving');
  assert.equal(samplerFromSpec(sh).name, 'gp+rungs', 'GP under rungs is fitted on rung values too');
  assert.equal(samplerFromSpec(validateSpec({ ...base, sampler: { type: 'gp', trials: 12 } })).name, 'gp');
  assert.equal(samplerFromSpec(validateSpec({ ...base, sampler: { type: 'tpe', trials: 3 } })).name, 'tpe');
  const auto = validateSpec({ ...base, sampler: { type: 'auto', trials: 60, switch_at: 30 } });
  assert.equal(samplerFromSpec(auto).name, 'auto');
  // The trial count reaches auto, which spends the last 20 % (or `confirm`) re-evaluating on noisy objectives.
  assert.equal((samplerFromSpec(auto) as AutoSampler).confirmTrials, 12);
  assert.equal((samplerFromSpec(validateSpec({ ...base, sampler: { type: 'auto', trials: 60, confirm: 0 } })) as AutoSampler).confirmTrials, 0);
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'auto', trials: 60, confirm: 0.95 } }), /sampler/);
  assert.equal(maxTrialsOf(auto), 60);
  assert.equal(samplerFromSpec(validateSpec({ ...base, budget: { epochs: 9 }, sampler: { type: 'auto', trials: 60 }, scheduler: { type: 'hyperband' } })).name, 'auto+rungs');
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'auto', trials: 60, switch_at: -1 } }), /`sampler\.switch_at`.*got -1|`sampler`.*"auto"/);
  const znd = validateSpec({ ...base, sampler: { type: 'zones-nd', trials: 30, initial: 10, confirm_repeats: 1 }, scheduler: { type: 'median' } });
  assert.equal(samplerFromSpec(znd).name, 'zones-nd');
  assert.equal(maxTrialsOf(znd), 30);
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'zones-nd', trials: 30, noise_band: -1 } }), /`sampler\.noise_band`.*got -1|`sampler`.*"zones-nd"/);
  assert.equal(schedulerFromSpec(validateSpec(base)), undefined);

  assert.throws(() => validateSpec({ ...base, scheduler: { type: 'asha', reduction_factor: 1 } }), /`scheduler\.reduction_factor`.*got 1/);
  assert.throws(() => validateSpec({ ...base, scheduler: { type: 'asha', min_resource: 0 } }), /`scheduler\.min_resource`.*got 0/);
  assert.throws(() => validateSpec({ ...base, scheduler: { type: 'asha', rungs: 3 } }), /Unknown field `scheduler\.rungs`/);
  assert.throws(() => validateSpec({ ...base, scheduler: { type: 'pbt' } }), /`scheduler\.type` has an invalid value "pbt"/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 4 }, scheduler: { type: 'asha', min_resource: 5 } }), /first rung.*= 5\) ≤ `budget\.epochs` \(4\), got min_resource 5/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 4 }, scheduler: { type: 'asha', min_resource: 2, min_early_stopping_rate: 1 } }), /= 6\) ≤ `budget\.epochs` \(4\)/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 9 }, scheduler: { type: 'hyperband', max_resource: 27 } }), /`scheduler\.max_resource` ≤ `budget\.epochs` \(9\), got 27/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 9 }, scheduler: { type: 'hyperband', min_resource: 5, max_resource: 3 } }), /`scheduler\.max_resource` ≥ `scheduler\.min_resource` \(5\), got 3/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 2 }, scheduler: { type: 'median', warmup_steps: 2 } }), /`scheduler\.warmup_steps` < `budget\.epochs` \(2\), got 2/);
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'zones' }, scheduler: { type: 'median' } }), /no `scheduler` with `sampler\.type` "zones"/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 10 }, sampler: { type: 'zones', survey_epochs: 12 } }), /`sampler\.survey_epochs` ≤ `budget\.epochs` \(10\), got 12/);
  assert.throws(() => validateSpec({ ...base, budget: { epochs: 10 }, sampler: { type: 'zones', survey_epochs: 5, max_epoch: 6 } }), /`sampler\.max_epoch` ≤ the epochs of stage 1 \(5\), got 6/);
  assert.equal(zoneOptionsOf(validateSpec({ ...base, budget: { epochs: 10 }, sampler: { type: 'zones', survey_epochs: 5 } })).surveyEpochs, 5);
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'tpe', trials: 0 } }), /`sampler`.*"tpe"|`sampler\.trials`.*got 0/);
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'sobol' } }), /`sampler`/);
});
