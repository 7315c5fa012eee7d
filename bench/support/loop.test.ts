import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomSampler } from '../../src/samplers/random.js';
import { Space } from '../../src/space/space.js';
import { FloatDistribution } from '../../src/space/distribution.js';
import { askTell, evaluationNoise } from './loop.js';

test('evaluationNoise depends on (seed, index) only', () => {
  assert.equal(evaluationNoise(3, 5).next(), evaluationNoise(3, 5).next());
  assert.notEqual(evaluationNoise(3, 5).next(), evaluationNoise(3, 6).next());
  assert.notEqual(evaluationNoise(3, 5).next(), evaluationNoise(4, 5).next());
});

test('askTell hands evaluation i the noise evaluationNoise(seed, i), whatever earlier evaluations drew', () => {
  const space = new Space(new Map([['x', new FloatDistribution(0, 1)]]));
  const loop = askTell(randomSampler(), space, 'minimize', 4, 9);
  let i = 0;
  for (let step = loop.next(); !step.done; i++) {
    assert.equal(step.value.index, i);
    assert.equal(step.value.noise.next(), evaluationNoise(9, i).next());
    // Evaluations draw different amounts of noise; the next evaluation's noise must not move.
    for (let k = 0; k < i; k++) step.value.noise.next();
    step = loop.next(0.5);
  }
  assert.equal(i, 4);
});
