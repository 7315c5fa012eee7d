// Pins every sampler's proposals on an unconditional space (fixture written before conditional spaces were added):
// conditional support must not change a single random draw where no parameter has a condition.
// Regenerate only on purpose: HZ_WRITE_PIN=1 node --import tsx --test src/samplers/unconditional-pin.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { CategoricalDistribution, FloatDistribution, IntDistribution, SeriesDistribution, type Distribution } from '../space/distribution.js';
import { Space } from '../space/space.js';
import { runSequential } from '../../bench/support/loop.js';
import { randomSampler } from './random.js';
import { gridSampler } from './grid.js';
import { SobolSampler } from './sobol.js';
import { TpeSampler } from './tpe.js';
import { GpSampler } from './gp.js';
import { AutoSampler } from './auto.js';
import type { Sampler } from './sampler.js';
import type { Params } from '../core/types.js';

const space = new Space(new Map<string, Distribution>([
  ['act', new CategoricalDistribution(['relu', 'tanh', 'gelu'])],
  ['units', new SeriesDistribution([16, 32, 64, 128, 256])],
  ['layers', new IntDistribution(1, 6)],
  ['lr', new FloatDistribution(1e-5, 1e-1, true)],
  ['dropout', new FloatDistribution(0, 0.5)],
]));
const objective = (p: Params): number =>
  (p['act'] === 'tanh' ? 0 : 1) + Math.abs(Math.log2(Number(p['units']) / 64)) + Math.abs(Number(p['layers']) - 3) + Math.abs(Math.log10(Number(p['lr'])) + 3) + Number(p['dropout']);

const samplers: Record<string, () => Sampler> = {
  random: () => randomSampler(),
  sobol: () => new SobolSampler(),
  tpe: () => new TpeSampler(),
  'tpe-multivariate': () => new TpeSampler({ multivariate: true }),
  'tpe-hybrid': () => new TpeSampler({ multivariate: true, finite: 'hybrid', avoidRepeats: true }),
  gp: () => new GpSampler({ nRandomCandidates: 64, nLocalCandidates: 32 }),
  auto: () => new AutoSampler({ switchAt: 14, trials: 24, gp: { nRandomCandidates: 64, nLocalCandidates: 32 } }),
};

function proposals(): Record<string, Params[]> {
  const out: Record<string, Params[]> = {};
  for (const [name, make] of Object.entries(samplers)) out[name] = runSequential(make(), space, 'minimize', objective, 24, 7).params;
  const grid = gridSampler({ seeds: [0], budget: null, pointsPerAxis: 2 }).plan?.({ space, direction: 'minimize', trials: [], rng: null as never }) ?? [];
  out['grid'] = grid.map((t) => t.params);
  return out;
}

const fixture = new URL('./unconditional-pin.fixture.json', import.meta.url);

test('every sampler proposes exactly the pinned configurations on an unconditional space', () => {
  const got = JSON.parse(JSON.stringify(proposals())) as Record<string, Params[]>;
  if (process.env['HZ_WRITE_PIN'] === '1') writeFileSync(fixture, JSON.stringify(got, null, 0) + '\n');
  const want = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, Params[]>;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], `sampler ${k} changed its proposals`);
});
