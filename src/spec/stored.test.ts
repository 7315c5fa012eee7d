import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from './compile.js';
import { codeStudySpec, planOfStudy, readStoredSpec, storedSpecOf } from './stored.js';
import { Space } from '../space/space.js';

const fileSpec = { study: 's', space: { units: [16, 32], batch_size: [64] }, fixed: { learning_rate: 0.01 }, seed: 3, budget: { epochs: 2 }, trainer: { type: 'tfjs' } };

test('one stored shape: a spec-file study round-trips to the same plan', () => {
  const plan = compile(fileSpec);
  const stored = storedSpecOf(plan);
  assert.equal(stored.format, 2);
  assert.deepEqual(stored.space, plan.spec.space);
  assert.deepEqual(stored.fixed, { learning_rate: 0.01 });
  assert.equal(stored.seed, 3);
  const back = planOfStudy({ name: 's', spec: JSON.parse(JSON.stringify(stored)) });
  assert.deepEqual(back?.spec, plan.spec);
});

test('a study made in code stores the same shape with no settings; it has no plan', () => {
  const stored = codeStudySpec(Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } }), 5);
  assert.deepEqual(stored, { format: 2, space: { x: { type: 'float', low: 0, high: 1 } }, fixed: {}, seed: 5, settings: null });
  assert.equal(planOfStudy({ name: 'lib', spec: stored }), null);
});

test('format 1 documents migrate on read: the whole spec file, or { space, seed } of a code study', () => {
  const old = compile(fileSpec).spec; // format 1 stored the normalised spec as it was
  const migrated = readStoredSpec(JSON.parse(JSON.stringify(old)), 's');
  assert.equal(migrated.format, 2);
  assert.equal(migrated.settings?.trainer.type, 'tfjs');
  assert.deepEqual(planOfStudy({ name: 's', spec: old })?.spec, compile(fileSpec).spec);
  const lib = readStoredSpec({ space: { x: { type: 'int', low: 0, high: 9 } }, seed: 2 }, 'lib');
  assert.deepEqual(lib, { format: 2, space: { x: { type: 'int', low: 0, high: 9 } }, fixed: {}, seed: 2, settings: null });
  // What cannot be read is an error naming the study, never a silent fallback to the other shape.
  assert.throws(() => readStoredSpec(null, 'x'), /Study `x` has no readable stored spec/);
  assert.throws(() => readStoredSpec({ format: 3, space: {} }, 'x'), /newer hyperzone \(spec format 3\)/);
  assert.throws(() => planOfStudy({ name: 'bad', spec: { ...old, sampler: { type: 'nope' } } }), /The stored spec of study `bad`: Expected `sampler\.type`/);
});
