// Search quality of the GP past its history cap with the kernel-hyperparameter search spread over proposals (the
// default, 8 fits a proposal) against the search run whole where it is due (hyperStepsPerProposal: Infinity): final
// regret on Hartmann-6 (6 parameters, deterministic) after --budget evaluations (default 220; the cap is 150, so the
// last 70 proposals are past it), per seed. Proposals below the cap are the same in both.
// Run: npx tsx bench/gp-hyper-spread.ts [--budget 220] [--seeds 1,2,3,4]
import { GpSampler } from '../src/samplers/gp.js';
import { hartmann6 } from './objectives/test-functions.js';
import { runSequential } from './support/loop.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const budget = Number(arg('budget') ?? 220);
const seeds = (arg('seeds') ?? '1,2,3,4').split(',').map(Number);
const fn = hartmann6();
console.log(`Hartmann-6, final regret (best found − optimum) after ${budget} evaluations`);
console.log('| seed | spread (8 fits a proposal) | whole | ms per proposal past the cap, spread / whole (CPU, max) |');
console.log('|---:|---:|---:|---:|');
for (const seed of seeds) {
  const cells: string[] = [];
  const cost: string[] = [];
  for (const steps of [8, Infinity]) {
    const gp = new GpSampler({ hyperStepsPerProposal: steps });
    // Time each proposal: wrap sample.
    const times: number[] = [];
    const sample = gp.sample.bind(gp);
    gp.sample = (ctx) => {
      const c0 = process.cpuUsage();
      const r = sample(ctx);
      const c = process.cpuUsage(c0);
      if (ctx.trials.length > 151) times.push((c.user + c.system) / 1000);
      return r;
    };
    const { values } = runSequential(gp, fn.space, 'minimize', (p) => fn.evaluate(p), budget, seed);
    cells.push((Math.min(...values) - fn.optimum).toExponential(2));
    cost.push(times.length ? Math.max(...times).toFixed(0) : '–');
  }
  console.log(`| ${seed} | ${cells.join(' | ')} | ${cost.join(' / ')} |`);
}
