import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTrial } from '../../bench/support/loop.js';
import { AutoSampler } from '../samplers/auto.js';
import { randomSampler } from '../samplers/random.js';
import { Space } from '../space/space.js';
import type { TrialRecord } from '../core/types.js';
import { bestOf } from '../study/study.js';
import { recommendedLine } from './recommended.js';

const space = Space.fromSpec({ x: { type: 'int', low: 0, high: 40 } });

/** A smooth bowl at x = 10 (loss 0.1 there), and one lucky noisy draw at x = 35 where the surface is bad. */
function trials(): TrialRecord[] {
  const out: TrialRecord[] = [];
  for (let x = 0; x <= 40; x++) if (x !== 35) out.push(makeTrial(out.length, { x }, 0.1 + 0.001 * (x - 10) ** 2));
  for (const x of [9, 10, 11, 12, 8]) out.push(makeTrial(out.length, { x }, 0.1 + 0.001 * (x - 10) ** 2 + 0.0005));
  out.push(makeTrial(out.length, { x: 35 }, 0.05)); // lucky: the true value there is ≈ 0.7
  return out;
}

test('auto names its own pick when it differs from the luckiest trial', () => {
  const ts = trials();
  const best = bestOf(ts, 'minimize');
  assert.equal(best?.params.x, 35, 'the observed best is the lucky draw');
  const line = recommendedLine(new AutoSampler(), ts, space, 'minimize', 'loss', best ?? null);
  assert.ok(line !== null);
  assert.match(line, /^recommended by auto: x=(9|10|11) → loss = /);
  assert.match(line, /mean of 2/);
});

test('no line when the pick is the best trial, or the sampler has no pick of its own', () => {
  const ts = trials().filter((t) => t.params.x !== 35);
  const best = bestOf(ts, 'minimize') ?? null;
  assert.equal(recommendedLine(new AutoSampler(), ts, space, 'minimize', 'loss', best), null);
  assert.equal(recommendedLine(randomSampler(), trials(), space, 'minimize', 'loss', null), null);
});
