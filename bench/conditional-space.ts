// Samplers on a conditional space: num_layers 1..3 with units_i for i ≤ num_layers, lr (log), model fnn | cnn with
// filters for cnn and a float kernel for 32 filters (9 branches). Objective: best (0) at 2 layers of 128 then 64,
// lr 1e-2, cnn with 32 filters and kernel 0.3; each miss adds to it. Figure: mean over --runs runs (seeds 100..) of
// the best value found in --trials trials (lower is better), per sampler; plus the same for a define-by-run study
// (Study without space, trial.suggestX) with random and TPE.
// Run: npx tsx bench/conditional-space.ts [--trials 80] [--runs 10]
import { parseArgs } from 'node:util';
import { conditionalToyObjective, conditionalToySpace } from './objectives/conditional-toy.js';
import { runSequential } from './support/loop.js';
import { randomSampler } from '../src/samplers/random.js';
import { SobolSampler } from '../src/samplers/sobol.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import { GpSampler } from '../src/samplers/gp.js';
import { AutoSampler } from '../src/samplers/auto.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { Study } from '../src/study/study.js';
import type { ObjectiveTrial } from '../src/study/objective-runner.js';

const { values: args } = parseArgs({ options: { trials: { type: 'string', default: '80' }, runs: { type: 'string', default: '10' } } });
const trials = Number(args.trials), runs = Number(args.runs);

const space = conditionalToySpace;
const objective = conditionalToyObjective;

const samplers: Record<string, () => Sampler> = {
  random: () => randomSampler(),
  sobol: () => new SobolSampler(),
  tpe: () => new TpeSampler(),
  'tpe multivariate': () => new TpeSampler({ multivariate: true }),
  'tpe multivariate group': () => new TpeSampler({ multivariate: true, group: true }),
  gp: () => new GpSampler(),
  auto: () => new AutoSampler({ trials }),
};

console.log(`declared conditional space, mean best of ${runs} runs × ${trials} trials (lower is better)`);
for (const [name, make] of Object.entries(samplers)) {
  let s = 0;
  for (let r = 0; r < runs; r++) s += Math.min(...runSequential(make(), space, 'minimize', objective, trials, 100 + r).values);
  console.log(`  ${name.padEnd(24)} ${(s / runs).toFixed(3)}`);
}

/** The same problem, define-by-run: the objective asks for what it needs. */
const dbr = (t: ObjectiveTrial): number => {
  const p: Record<string, number | string> = {};
  p['num_layers'] = t.suggestInt('num_layers', 1, 3);
  for (let i = 1; i <= Number(p['num_layers']); i++) p[`units_${i}`] = t.suggestCategorical(`units_${i}`, [32, 64, 128, 256]);
  p['lr'] = t.suggestFloat('lr', 1e-4, 1e-1, { log: true });
  p['model'] = t.suggestCategorical('model', ['fnn', 'cnn']);
  if (p['model'] === 'cnn') p['filters'] = t.suggestCategorical('filters', [16, 32]);
  if (p['filters'] === 32) p['kernel'] = t.suggestFloat('kernel', 0, 1);
  return objective(p);
};
console.log(`define-by-run, mean best of ${runs} runs × ${trials} trials`);
for (const name of ['random', 'tpe'] as const) {
  let s = 0;
  for (let r = 0; r < runs; r++) {
    const study = await Study.create({ name: `b${r}`, seed: 100 + r, direction: 'minimize', ...(name === 'tpe' ? { sampler: new TpeSampler() } : {}) });
    await study.optimize(dbr, { nTrials: trials });
    s += (await study.bestTrial())?.value as number;
  }
  console.log(`  ${name.padEnd(24)} ${(s / runs).toFixed(3)}`);
}
