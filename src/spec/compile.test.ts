import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, type StudyPlan } from './compile.js';
import { loadPlan } from './load.js';
import { createSampler, createScheduler } from './build.js';
import type { AutoSampler } from '../samplers/auto.js';

/** The normalised spec of a compiled input (what the old validateSpec returned). */
const validateSpec = (input: unknown): StudyPlan['spec'] => compile(input).spec;
const loadSpecFile = (path: string): StudyPlan['spec'] => loadPlan(path).spec;

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
  assert.throws(() => validateSpec({ ...base, space: { units: [-5, 10] } }), /`space\.units\[0\]` to be an integer ≥ 1, got -5/);
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
  writeFileSync(yml, 'space:\n  units: [64, 128]\nfixed: { batch_size: 32 }\nbudget: { epochs: 1 }\ntrainer: { type: tfjs }\n');
  assert.equal(loadSpecFile(yml).study, 'my-study');
  const json = join(dir, 'j.json');
  writeFileSync(json, JSON.stringify(base));
  assert.equal(loadSpecFile(json).study, 'demo');
  writeFileSync(join(dir, 'bad.yaml'), 'space: [unclosed');
  assert.throws(() => loadSpecFile(join(dir, 'bad.yaml')), /bad\.yaml is not valid YAML/);
  assert.throws(() => loadSpecFile(join(dir, 'missing.yaml')), /Cannot read spec file .*missing\.yaml/);
});

test('scheduler and model-based sampler sections: validated, errors name field and value, wired to instances', async () => {
  const samplerFromSpec = (spec: StudyPlan['spec']) => createSampler(compile(spec));
  const schedulerFromSpec = (spec: StudyPlan['spec']) => createScheduler(compile(spec));
  const maxTrialsOf = (spec: StudyPlan['spec']) => compile(spec).maxTrials;
  const plannedTotal = (spec: StudyPlan['spec']) => compile(spec).plannedTotal;
  const zoneOptionsOf = (spec: StudyPlan['spec']) => compile(spec).zoneOptions;
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
  assert.throws(() => validateSpec({ ...base, scheduler: { type: 'pbt' } }), /Expected `scheduler\.type` to be one of median, successive-halving, asha, hyperband, curve-extrapolation, got "pbt"/);
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
  assert.throws(() => validateSpec({ ...base, sampler: { type: 'sobol' } }), /^SpecError: `sampler\.trials` is required for sobol/);
});

/** The message of the SpecError compile throws for an input. */
function errorOf(input: unknown): string {
  try {
    compile(input);
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'INVALID_SPEC', String(e));
    return (e as Error).message;
  }
  assert.fail('compiled without an error');
}

const tfjs = { space: { units: [16, 32], batch_size: [64] }, budget: { epochs: 2 }, trainer: { type: 'tfjs' } };

test('tfjs trainer contract: unknown and invalid params fail at compile, naming the field and the accepted values', () => {
  assert.equal(errorOf({ ...tfjs, space: { ...tfjs.space, momentum: [0.5, 0.99] } }).split(':')[0], 'Unknown param `space.momentum`');
  assert.match(errorOf({ ...tfjs, space: { unit: [16], batch_size: [64] } }), /^Unknown param `space\.unit` \(did you mean `units`\?\): the tfjs trainer accepts units, units_1…, num_layers, dropout, dropout_1…, activation/);
  assert.match(errorOf({ ...tfjs, fixed: { activaton: 'relu' } }), /^Unknown param `fixed\.activaton` \(did you mean `activation`\?\)/);
  assert.equal(errorOf({ ...tfjs, space: { ...tfjs.space, activation: ['relu', 'sigmoidx'] } }), 'Expected `space.activation[1]` to be one of relu, tanh, sigmoid, elu, linear, got "sigmoidx"');
  assert.match(errorOf({ ...tfjs, fixed: { lr_schedule: 'step:0' } }), /^Expected `fixed\.lr_schedule` to be 'none', 'step:N\[:F\]' or 'plateau:P\[:F\]'.*got "step:0"$/);
  assert.match(errorOf({ ...tfjs, fixed: { lr_schedule: 'plateau:3:1.5' } }), /`fixed\.lr_schedule`.*got "plateau:3:1\.5"/);
  assert.equal(errorOf({ ...tfjs, space: { units: [32, 'abc'], batch_size: [64] } }), 'Expected `space.units[1]` to be an integer ≥ 1, got "abc"');
  assert.match(errorOf({ ...tfjs, space: { units: { type: 'float', low: 16, high: 64 }, batch_size: [64] } }), /`space\.units` to be an integer ≥ 1: use `type: int`.*got `type: float`/);
  assert.equal(errorOf({ ...tfjs, space: { ...tfjs.space, dropout: { type: 'float', low: 0, high: 1 } } }), 'Expected `space.dropout.high` to be a number in [0, 1), got 1');
  assert.equal(errorOf({ ...tfjs, space: { units: { type: 'series', from: 0.5, to: 4 }, batch_size: [64] } }), 'Expected `space.units` to be an integer ≥ 1, got 0.5');
  assert.match(errorOf({ ...tfjs, space: { units: [16], units_1: [16], batch_size: [64] } }), /either `units`.*or `units_1`/);
  assert.match(errorOf({ ...tfjs, space: { units_1: [16], dropout: [0.1], dropout_1: [0.2], batch_size: [64] } }), /either `dropout`.*or `dropout_1`/);
  assert.match(errorOf({ ...tfjs, space: { batch_size: [64] } }), /^Missing param `units`/);
  assert.match(errorOf({ ...tfjs, space: { units: [16] } }), /^Missing param `batch_size`/);
  assert.match(errorOf({ ...tfjs, fixed: { epochs: 5 } }), /^Param `fixed\.epochs` would be ignored: the tfjs trainer trains for `budget\.epochs` \(2\)/);
  assert.equal(compile({ ...tfjs, budget: undefined, fixed: { epochs: 5 } }).budget, null);
  // Everything the trainer declares compiles: numbered layers (0 switches a trailing layer off), per-layer dropout.
  const ok = compile({ ...tfjs, space: { units_1: [16, 32], units_2: [0, 8], dropout_1: [0, 0.2], batch_size: [64] }, fixed: { activation: 'elu', learning_rate: 0.01, lr_schedule: 'step:3:0.5' } });
  assert.equal(ok.params.trainer, 'tfjs');
  // Readers of stored studies can skip the contract (a study recorded under older rules stays readable).
  assert.equal(compile({ ...tfjs, fixed: { activaton: 'relu' } }, { checkParams: false }).fixed['activaton'], 'relu');
});

test('command trainer: any param by default; declared params (a list, or typed) are enforced', () => {
  const cmd = (params?: unknown) => ({ ...tfjs, trainer: { type: 'command', command: ['python3', 'train.py'], ...(params === undefined ? {} : { params }) } });
  assert.equal(compile({ ...cmd(), space: { anything: ['a', 1], momentum: [0.5, 0.99] } }).params.open, true);
  assert.match(errorOf({ ...cmd(['units', 'batch_size']), fixed: { momentum: 0.9 } }), /^Unknown param `fixed\.momentum`: the command trainer accepts units, batch_size; declare it in `trainer\.params`/);
  const typed = cmd({ units: { type: 'int', min: 1 }, batch_size: { type: 'int', min: 1 }, 'dropout_*': { type: 'float', min: 0, max: 0.9 }, model: { type: 'string', values: ['fnn', 'cnn'] }, lr_schedule: { type: 'lr_schedule' } });
  assert.equal(errorOf({ ...typed, space: { units: [0, 4], batch_size: [64] } }), 'Expected `space.units[0]` to be an integer ≥ 1, got 0');
  assert.equal(errorOf({ ...typed, fixed: { dropout_2: 0.95 } }), 'Expected `fixed.dropout_2` to be a number in [0, 0.9], got 0.95');
  assert.equal(errorOf({ ...typed, fixed: { model: 'rnn' } }), 'Expected `fixed.model` to be one of "fnn", "cnn", got "rnn"');
  assert.match(errorOf({ ...typed, fixed: { lr_schedule: 'step:0' } }), /`fixed\.lr_schedule`.*"step:0"/);
  assert.equal(compile({ ...typed, fixed: { dropout_1: 0.5, model: 'cnn', lr_schedule: 'plateau:3' } }).params.open, false);
  assert.match(errorOf(cmd({ units: { type: 'integer' } })), /`trainer\.params\.units\.type` to be one of int, float, string, bool, lr_schedule, got "integer"/);
  // The example PyTorch spec declares its trainer's params.
  const torch = loadPlan('examples/torch/mnist-torch-grid.yaml');
  assert.equal(torch.params.open, false);
  assert.ok(['units', 'batch_size', 'learning_rate', 'lr_schedule', 'model'].every((p) => p in torch.params.params));
});

test('generic errors give the accepted forms', () => {
  assert.equal(errorOf({ ...tfjs, sampler: { type: 'foo' } }), 'Expected `sampler.type` to be one of grid, random, tpe, sobol, gp, auto, controller, zones-nd, nsga2, motpe, zones, got "foo"');
  assert.match(errorOf({ ...tfjs, sampler: { type: 'random' } }), /^`sampler\.trials` is required for random/);
  assert.match(errorOf({ ...tfjs, space: { units: 'x', batch_size: [64] } }), /^Expected `space\.units` to be a list of values \(\[32, 64\]\) or an object with `type` int, float, categorical or series, got "x"$/);
  assert.equal(errorOf({ ...tfjs, trainer: { type: 'tfjs', dataset: 'cifar' } }), 'Expected `trainer.dataset` to be "mnist", "fashion-mnist", { idx: DIRECTORY } or { name: mnist, classes: [5, 6, 7, 8, 9], label_fraction: 0.1 } (classes and label_fraction also beside idx), got "cifar"');
  assert.equal(errorOf({ ...tfjs, trainer: { type: 'pytorch' } }), 'Expected `trainer.type` to be one of tfjs, command, got "pytorch"');
  assert.equal(errorOf({ ...tfjs, objective: { metric: 'loss' } }), 'Missing field `objective.direction` (one of maximize, minimize)');
  assert.equal(errorOf({ ...tfjs, scheduler: { type: 'asha', reduction_factor: 1 } }), 'Expected `scheduler.reduction_factor` to be ≥ 2, got 1');
  assert.equal(errorOf({ ...tfjs, budget: { epochs: 1.5 } }), 'Expected `budget.epochs` to be an integer, got 1.5');
  assert.equal(errorOf({ ...tfjs, trainer: { type: 'tfjs', validation_split: 1 } }), 'Expected `trainer.validation_split` to be < 1, got 1');
  assert.equal(errorOf({ ...tfjs, trainer: { type: 'command', command: [] } }), 'Expected `trainer.command` to be a list of at least 1 item(s), got []');
  assert.match(errorOf({ ...tfjs, space: { 'bad-name': [1] } }), /^Expected the name `space\.bad-name` to be a parameter name of letters/);
  assert.equal(errorOf({ ...tfjs, space: { units: [32, { a: 1 }], batch_size: [64] } }), 'Expected `space.units[1]` to be a number, string or boolean, got {"a":1}');
  assert.match(errorOf({ ...tfjs, space: { units: { type: 'series', from: 16 }, batch_size: [64] } }), /^`space\.units\.to` is required for series/);
  assert.match(errorOf({ ...tfjs, space: { units: { type: 'series', values: [16], from: 16 }, batch_size: [64] } }), /either `values` or `from`\/`to`/);
});

test('a plan holds every derived field once: seeds, budget, totals, rungs, zone options from the trainer', () => {
  const p = compile({ ...tfjs, study: 'p', seeds: 3, seed: 7, budget: { epochs: 9 }, sampler: { type: 'tpe', trials: 20 }, scheduler: { type: 'asha' } });
  assert.equal(p.name, 'p');
  assert.equal(p.trialSeeds.length, 3);
  assert.equal(new Set(p.trialSeeds).size, 3);
  assert.equal(p.budget, 9);
  assert.equal(p.maxTrials, 20);
  assert.equal(p.plannedTotal, 20);
  assert.deepEqual(p.rungSteps, [1, 3, 9]);
  assert.equal(compile({ ...tfjs, seeds: 2 }).plannedTotal, 4, 'a grid of 2 points × 2 seeds');
  assert.equal(compile({ ...tfjs }, { name: 'renamed' }).name, 'renamed');
  // Zone options: MNIST sizes only for the built-in trainer's bundled datasets.
  const z = compile({ ...tfjs, trainer: { type: 'tfjs', train_limit: 1000, test_limit: 200 } }).zoneOptions;
  assert.deepEqual([z.trainSize, z.valSize, z.testSize], [800, 200, 200]);
  const full = compile(tfjs).zoneOptions;
  assert.deepEqual([full.trainSize, full.valSize, full.testSize], [48_000, 12_000, 10_000]);
  const command = compile({ ...tfjs, trainer: { type: 'command', command: ['x'] } }).zoneOptions;
  assert.deepEqual([command.trainSize, command.valSize, command.testSize], [undefined, undefined, undefined]);
  const given = compile({ ...tfjs, trainer: { type: 'command', command: ['x'] }, sampler: { type: 'zones', train_size: 9600, val_size: 500, test_size: 2000 } }).zoneOptions;
  assert.deepEqual([given.trainSize, given.valSize, given.testSize], [9600, 500, 2000]);
  const idx = compile({ ...tfjs, trainer: { type: 'tfjs', dataset: { idx: '/data/x' } } }).zoneOptions;
  assert.equal(idx.valSize, undefined, 'an IDX directory of unknown size gives no validation size');
  // A command trainer that declares params without lr_schedule cannot run the zone strategy (stage 3 sets it).
  assert.match(errorOf({ ...tfjs, trainer: { type: 'command', command: ['x'], params: ['units', 'batch_size'] }, sampler: { type: 'zones' } }), /zone strategy sets `lr_schedule`/);
  assert.match(errorOf({ ...tfjs, sampler: { type: 'zones', schedules: ['none', 'step:0'] } }), /`sampler\.schedules\[1\]`.*"step:0"/);
});

test('trainer.dataset takes a class subset and a label fraction, checked field by field', () => {
  const ds = (dataset: unknown): unknown => validateSpec({ ...base, trainer: { type: 'tfjs', dataset } }).trainer;
  assert.deepEqual((ds({ name: 'mnist', classes: [5, 6, 7, 8, 9], label_fraction: 0.1 }) as { dataset: unknown }).dataset, { name: 'mnist', classes: [5, 6, 7, 8, 9], label_fraction: 0.1 });
  assert.deepEqual((ds({ idx: '/data/x', classes: [0, 1] }) as { dataset: unknown }).dataset, { idx: '/data/x', classes: [0, 1] });
  assert.throws(() => ds({ name: 'mnist', label_fraction: 0 }), /`trainer\.dataset\.label_fraction`.*got 0/);
  assert.throws(() => ds({ name: 'mnist', label_fraction: 1.5 }), /`trainer\.dataset\.label_fraction`.*got 1\.5/);
  assert.throws(() => ds({ name: 'mnist', classes: [5, 5] }), /`trainer\.dataset\.classes`.*distinct/);
  assert.throws(() => ds({ name: 'mnist', classes: [5, 12] }), /`trainer\.dataset\.classes\[1\]`.*got 12/);
  assert.throws(() => ds({ name: 'cifar', classes: [0, 1] }), /`trainer\.dataset\.name`.*"cifar"/);
  assert.throws(() => ds({ name: 'mnist', labels: 0.1 }), /Unknown field `trainer\.dataset\.labels`/);
  assert.throws(() => ds({ name: 'mnist', idx: '/d' }), /`trainer\.dataset`: give exactly one of `name` and `idx`/);
  assert.throws(() => ds({ classes: [0, 1] }), /`trainer\.dataset`: give exactly one of `name` and `idx`/);
});
