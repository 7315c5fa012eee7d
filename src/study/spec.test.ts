import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecFile, validateSpec } from './spec.js';

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
