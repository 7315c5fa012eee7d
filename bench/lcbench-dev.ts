// Development bench for the default strategy on the LCBench surrogate: runs sampler variants once per budget
// (like `bench/strategies.ts`'s budgeted rows) and prints, per task and budget, the median (IQR) normalised
// regret of the returned configuration and of the best observed one, and every rep's returned regret. Use it on
// held-out seeds (default 4000), not on the reported ones (1000–1019 and 3000–3019).
// Usage: npx tsx bench/lcbench-dev.ts [--seed-base 4000] [--reps 20] [--tasks 167168,...] [--budgets 100,200]
//        [--variants 'auto|tpe-mv|sw40|...']
// The default's budget-dependent switch on continuous spaces (40 % of the budget, 10–40) was chosen with it on
// seeds 4000–4019: `--tasks 167168,189873,189906 --budgets 25,50,100,200 --variants 'auto|sw10|sw20|sw40'`.
import { fileURLToPath } from 'node:url';
import { YahpoLcbench, lcbenchAvailable } from './objectives/yahpo-lcbench.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import type { Sampler, SamplerContext } from '../src/samplers/sampler.js';
import type { Direction, Params, TrialRecord } from '../src/core/types.js';
import type { Space } from '../src/space/space.js';
import { makeTrial } from './support/loop.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { paramsKey } from '../src/strategies/zones/common.js';
import { quantile } from '../src/stats/intervals.js';
import { benchDataPath } from './support/data-dir.js';

interface Returning extends Sampler { returnedConfiguration?(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null }

/**
 * The variants this bench knows, by name: each makes a sampler told its budget. `swN` (any N ≥ 0) is `auto`
 * with its TPE→GP switch at N complete trials.
 */
export const VARIANTS: Record<string, (budget: number) => Returning> = {
  auto: (b) => new AutoSampler({ trials: b }),
  'auto-noconfirm': () => new AutoSampler({}),
  'tpe-mv': () => new TpeSampler({ multivariate: true }),
  // Changes to the GP phase, each with the GP from trial 10 (the switch they were tried against).
  'gp-std': (b) => new AutoSampler({ trials: b, switchAt: 10, gp: { yTransform: 'standardize' } }),
  'gp-local': (b) => new AutoSampler({ trials: b, switchAt: 10, gp: { nRandomCandidates: 128, nLocalCandidates: 384 } }),
  'gp-fit128': (b) => new AutoSampler({ trials: b, switchAt: 10, gp: { maxFitPoints: 128 } }),
  'stall-tpe': (b) => new TpeInGpPhase(b, stalled(15)),
  tpe20: (b) => new TpeInGpPhase(b, everyKth(5)),
};

/** The variant named `name` (see VARIANTS), or null. */
export function variant(name: string): ((budget: number) => Returning) | null {
  const sw = /^sw(\d+)$/.exec(name);
  if (sw) return (b) => new AutoSampler({ trials: b, switchAt: Number(sw[1]) });
  return VARIANTS[name] ?? null;
}

/** `auto` with the GP from trial 10, but in its GP phase a multivariate-TPE proposal wherever `useTpe` says so (outside confirmation). */
class TpeInGpPhase implements Returning {
  readonly name = 'auto (some GP-phase proposals from TPE)';
  private readonly auto: AutoSampler;
  private readonly tpe = new TpeSampler({ multivariate: true, avoidRepeats: true });
  constructor(budget: number, private readonly useTpe: (ctx: SamplerContext) => boolean) { this.auto = new AutoSampler({ trials: budget, switchAt: 10 }); }
  sample(ctx: SamplerContext): { params: Params } | null {
    if (this.auto.phase(ctx) === 'gp' && this.auto.confirmStep(ctx) === null && this.useTpe(ctx)) return this.tpe.sample(ctx);
    return this.auto.sample(ctx);
  }
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null {
    return this.auto.returnedConfiguration(trials, space, direction);
  }
}

/** Every `k`-th trial. */
const everyKth = (k: number) => (ctx: SamplerContext): boolean => ctx.trials.length % k === k - 1;

/** Every other trial once the best value has not improved for `patience` complete trials. */
const stalled = (patience: number) => (ctx: SamplerContext): boolean => {
  const done = ctx.trials.filter((t) => t.state === 'complete' && t.value !== null);
  if (done.length <= patience) return false;
  const sign = ctx.direction === 'minimize' ? 1 : -1;
  let bestAt = 0;
  done.forEach((t, i) => { if (sign * (t.value as number) < sign * (done[bestAt]?.value as number)) bestAt = i; });
  return done.length - 1 - bestAt >= patience && (done.length - bestAt) % 2 === 0;
};

const fmt = (x: number): string => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(1));
const summary = (xs: readonly number[]): string => `${fmt(quantile(xs, 0.5))} (${fmt(quantile(xs, 0.25))}…${fmt(quantile(xs, 0.75))})`;

/** One run of `sampler` for `budget` full evaluations; returns the regret of its returned and best observed configurations. */
export async function runOnce(
  o: YahpoLcbench,
  sampler: Returning,
  budget: number,
  seed: number,
  value: (p: Params) => Promise<number>,
): Promise<{ returned: number; bestObserved: number }> {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < budget; i++) {
    const r = sampler.sample?.({ space: o.space, direction: o.direction, trials, rng: new Rng(deriveSeed(seed, i)) }) ?? null;
    if (r === null) break;
    trials.push(makeTrial(i, r.params, await value(r.params)));
  }
  const best = trials.reduce((a, b) => ((b.value as number) > (a.value as number) ? b : a));
  const ret = sampler.returnedConfiguration?.(trials, o.space, o.direction)?.params ?? best.params;
  return { returned: o.normalizedRegret(await value(ret)), bestObserved: o.normalizedRegret(best.value as number) };
}

async function main(argv: string[]): Promise<void> {
  const a = { seedBase: 4000, reps: 20, tasks: ['167168'], budgets: [100, 200], variants: ['auto', 'tpe-mv'] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--seed-base') a.seedBase = Number(v);
    else if (k === '--reps') a.reps = Number(v);
    else if (k === '--tasks') a.tasks = v.split(',');
    else if (k === '--budgets') a.budgets = v.split(',').map(Number);
    else if (k === '--variants') a.variants = v.split('|');
    else throw new Error(`Unknown option ${k}`);
  }
  for (const v of a.variants) if (!variant(v)) throw new Error(`Unknown variant ${v}; known: ${Object.keys(VARIANTS).join(', ')}, swN`);
  if (!Number.isSafeInteger(a.seedBase) || !Number.isInteger(a.reps) || a.reps < 1) throw new Error('Expected integer --seed-base and --reps ≥ 1');
  if (a.budgets.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('Expected --budgets to be integers ≥ 1');
  const dir = benchDataPath('yahpo-lcbench');
  if (!lcbenchAvailable(dir)) throw new Error(`LCBench surrogate files absent at ${dir}`);
  for (const task of a.tasks) {
    const o = await YahpoLcbench.load(dir, task);
    const cache = new Map<string, Promise<number>>();
    const value = (p: Params): Promise<number> => {
      const k = paramsKey(p);
      let c = cache.get(k);
      if (!c) { c = o.evaluate(p); cache.set(k, c); }
      return c;
    };
    for (const budget of a.budgets) {
      for (const name of a.variants) {
        const t0 = Date.now();
        const ret: number[] = [], obs: number[] = [];
        for (let rep = 0; rep < a.reps; rep++) {
          const r = await runOnce(o, (variant(name) as (b: number) => Returning)(budget), budget, a.seedBase + rep, value);
          ret.push(r.returned); obs.push(r.bestObserved);
        }
        console.log(`${task} @${budget} ${name.padEnd(22)} returned ${summary(ret)}  best observed ${summary(obs)}  ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        console.log(`    ${ret.map(fmt).join(' ')}`);
      }
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
