// Multi-objective search against Optuna 3.1, same problems, budgets and seeds, in one run: hyperzone's NSGA-II and
// MOTPE (and random search) against Optuna's NSGAIISampler and MOTPESampler (and RandomSampler), each run scored by
// the hypervolume of everything it evaluated; median and interquartile range over the repetitions.
//
//   npx tsx bench/multi-objective.ts [--reps 10] [--problems zdt1,fcnet] [--zdt-trials 300] [--fcnet-trials 150]
//
// Problems (both objectives minimised):
//   zdt1   ZDT1 with 6 variables in [0, 1]; hypervolume with reference (1.1, 11) (the best possible: 11.77).
//   fcnet  FCNet naval_propulsion (HPOlib table, 62,208 configurations): log10 of the mean valid_mse over the
//          table's 4 seeds against the hidden layers' size n_units_1·n_units_2 + n_units_1 + n_units_2 (the
//          table does not give the input width, so the first layer's weights are left out); both scaled to
//          [0, 1] by the table's best and worst, reference (1, 1), so 1 would be one configuration best in both.
import { parseArgs } from 'node:util';
import { Study } from '../src/study/study.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { Nsga2Sampler } from '../src/samplers/nsga2.js';
import { MotpeSampler } from '../src/samplers/motpe.js';
import { randomSampler } from '../src/samplers/random.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { hypervolume } from '../src/stats/pareto.js';
import { quantile } from '../src/stats/intervals.js';
import type { Params } from '../src/core/types.js';
import type { Space } from '../src/space/space.js';
import { zdt1, zdtSpace } from './objectives/zdt.js';
import { TabularObjective } from './objectives/tabular.js';
import { benchDataPath } from './support/data-dir.js';
import { OptunaBridge, encodeSpaceForOptuna, type OptunaSamplerName } from './support/optuna.js';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '10' },
    problems: { type: 'string', default: 'zdt1,fcnet' },
    'zdt-trials': { type: 'string', default: '300' },
    'fcnet-trials': { type: 'string', default: '150' },
    population: { type: 'string', default: '50' },
  },
});
const reps = Number(args.reps);
const population = Number(args.population);

/** A two-objective problem: its space, its objective vector (minimised) and the hypervolume of a set of vectors. */
interface Problem {
  readonly name: string;
  readonly space: Space;
  readonly trials: number;
  evaluate(p: Params): [number, number];
  score(points: readonly (readonly number[])[]): number;
}

async function problems(): Promise<Problem[]> {
  const out: Problem[] = [];
  const wanted = String(args.problems).split(',');
  if (wanted.includes('zdt1')) {
    out.push({ name: 'zdt1 (6 variables)', space: zdtSpace(6), trials: Number(args['zdt-trials']), evaluate: (p) => zdt1(p, 6), score: (pts) => hypervolume(pts, [1.1, 11]) });
  }
  if (wanted.includes('fcnet')) {
    const table = await TabularObjective.load(benchDataPath('fcnet-naval_propulsion.csv.gz'), { metric: 'valid_mse', direction: 'minimize' });
    const size = (p: Params): number => Number(p['n_units_1']) * Number(p['n_units_2']) + Number(p['n_units_1']) + Number(p['n_units_2']);
    const units = [...(table.space.get('n_units_1').values() ?? [])].map(Number);
    const sizes = units.flatMap((a) => units.map((b) => a * b + a + b));
    const lo = [Infinity, Math.min(...sizes)];
    const hi = [-Infinity, Math.max(...sizes)];
    for (const c of table.space.grid()) {
      const v = Math.log10(table.trueValue(c));
      lo[0] = Math.min(lo[0] as number, v);
      hi[0] = Math.max(hi[0] as number, v);
    }
    const scale = (v: number, k: number): number => (v - (lo[k] as number)) / ((hi[k] as number) - (lo[k] as number));
    out.push({
      name: 'fcnet naval_propulsion (log10 valid_mse vs hidden size)', space: table.space, trials: Number(args['fcnet-trials']),
      evaluate: (p) => [Math.log10(table.trueValue(p)), size(p)],
      score: (pts) => hypervolume(pts.map((q) => [scale(q[0] as number, 0), scale(q[1] as number, 1)]), [1, 1]),
    });
  }
  return out;
}

async function runHyperzone(pr: Problem, make: () => Sampler, seed: number): Promise<number> {
  const study = await Study.create({ space: pr.space, directions: ['minimize', 'minimize'], sampler: make(), seed, storage: new MemoryStorage() });
  await study.optimize(({ params }) => pr.evaluate(params), { nTrials: pr.trials, logFailures: false });
  return pr.score((await study.trials()).flatMap((t) => (t.values ? [t.values] : [])));
}

async function runOptuna(bridge: OptunaBridge, pr: Problem, sampler: OptunaSamplerName, seed: number): Promise<number> {
  const enc = encodeSpaceForOptuna(pr.space, 'ordered');
  await bridge.createMulti({ sampler, seed, directions: ['minimize', 'minimize'], distributions: enc.distributions, population });
  const points: number[][] = [];
  for (let i = 0; i < pr.trials; i++) {
    const { number, params } = await bridge.ask();
    const v = pr.evaluate(enc.decode(params));
    points.push(v);
    await bridge.tellValues(number, v);
  }
  return pr.score(points);
}

const fmt = (x: number): string => x.toFixed(4);
const bridge = OptunaBridge.start();
const version = await bridge.version();
const seeds = Array.from({ length: reps }, (_, i) => 1000 + i);
console.log(`multi-objective search: ${reps} repetitions (seeds ${seeds[0]}–${seeds[seeds.length - 1]}), NSGA-II population ${population}, Optuna ${version}`);
for (const pr of await problems()) {
  const rows: { name: string; hv: number[]; seconds: number }[] = [];
  const hz: [string, () => Sampler][] = [
    ['hyperzone nsga2', () => new Nsga2Sampler({ population })],
    ['hyperzone nsga2 (sbx)', () => new Nsga2Sampler({ population, crossover: 'sbx' })],
    ['hyperzone motpe', () => new MotpeSampler()],
    ['hyperzone random', () => randomSampler()],
  ];
  for (const [name, make] of hz) {
    const t0 = performance.now();
    const hv: number[] = [];
    for (const s of seeds) hv.push(await runHyperzone(pr, make, s));
    rows.push({ name, hv, seconds: (performance.now() - t0) / 1000 });
  }
  for (const [name, sampler] of [['optuna NSGAIISampler', 'nsga2'], ['optuna MOTPESampler', 'motpe'], ['optuna RandomSampler', 'random']] as const) {
    const t0 = performance.now();
    const hv: number[] = [];
    for (const s of seeds) hv.push(await runOptuna(bridge, pr, sampler, s));
    rows.push({ name, hv, seconds: (performance.now() - t0) / 1000 });
  }
  console.log(`\n${pr.name}, ${pr.trials} trials per run: hypervolume of all evaluated points (higher is better)`);
  console.log('| sampler | median | IQR (25–75 %) | min | max | wall s (all runs) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const q = (p: number): number => quantile(r.hv, p);
    console.log(`| ${r.name} | ${fmt(q(0.5))} | ${fmt(q(0.25))}–${fmt(q(0.75))} | ${fmt(Math.min(...r.hv))} | ${fmt(Math.max(...r.hv))} | ${r.seconds.toFixed(1)} |`);
  }
}
await bridge.close();
