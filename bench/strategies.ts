// Compares search strategies on tabular benchmarks (FCNet) and synthetic functions, against Optuna in the same run.
// Usage: npx tsx bench/strategies.ts [--quick] [--tables naval_propulsion,...] [--reps 20] [--budgets 25,50,100,200] [--no-optuna]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TabularObjective } from '../src/objectives/tabular.js';
import { branin, hartmann6 } from '../src/objectives/test-functions.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import { SobolSampler } from '../src/samplers/sobol.js';
import type { Sampler } from '../src/samplers/sampler.js';
import type { Space } from '../src/space/space.js';
import type { Direction, Params, TrialRecord } from '../src/study/types.js';
import { Rng } from '../src/util/rng.js';
import { makeTrial, plainRandomSampler, runSequential } from '../src/bench-support/loop.js';
import { OptunaBridge, runOptuna, type OptunaEncoding, type OptunaSamplerName } from '../src/bench-support/optuna.js';

interface Args { quick: boolean; tables: string[]; reps: number; budgets: number[]; optuna: boolean }

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, tables: ['naval_propulsion', 'parkinsons_telemonitoring', 'protein_structure', 'slice_localization'], reps: 20, budgets: [25, 50, 100, 200], optuna: true };
  let explicitReps = false, explicitBudgets = false;
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Expected a value after ${k}`);
      return v;
    };
    if (k === '--quick') a.quick = true;
    else if (k === '--no-optuna') a.optuna = false;
    else if (k === '--tables') a.tables = next().split(',').filter((s) => s.length > 0);
    else if (k === '--reps') { a.reps = Number(next()); explicitReps = true; }
    else if (k === '--budgets') { a.budgets = next().split(',').map(Number); explicitBudgets = true; }
    else throw new Error(`Unknown option ${k}`);
  }
  if (a.quick) {
    if (!explicitReps) a.reps = 2;
    if (!explicitBudgets) a.budgets = [10, 20];
  }
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error(`Expected --reps to be an integer ≥ 1, got ${a.reps}`);
  if (a.budgets.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`Expected --budgets to be integers ≥ 1, got ${a.budgets.join(',')}`);
  a.budgets.sort((x, y) => x - y);
  return a;
}

/** A benchmark problem: a space, a noisy evaluation and the regret of a returned configuration. */
interface Problem {
  name: string;
  space: Space;
  direction: Direction;
  evaluate: (p: Params, rng: Rng) => number;
  regret: (p: Params) => number;
  regretName: string;
  /** Whether ordered-numeric vs categorical encodings differ (finite ordered params present). */
  hasOrderedFinite: boolean;
}

const BENCH_DIR = fileURLToPath(new URL('../../shared/benchmarks/', import.meta.url));

function tableProblem(name: string, t: TabularObjective): Problem {
  return {
    name, space: t.space, direction: t.direction,
    evaluate: (p, rng) => t.evaluate(p, rng), regret: (p) => t.rankRegret(p), regretName: 'rank regret', hasOrderedFinite: true,
  };
}

/** A synthetic long table: 4 params (2 categorical), 3 seeds, a smooth function plus noise. */
function syntheticCsv(): string {
  const lines = ['act,opt,lr,units,seed,loss'];
  const noise = new Rng(42);
  for (const act of ['relu', 'tanh', 'gelu'])
    for (const opt of ['sgd', 'adam'])
      for (const lr of [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1])
        for (const units of [16, 32, 64, 128, 256, 512])
          for (let seed = 0; seed < 3; seed++) {
            const v = (act === 'gelu' ? 0 : 0.3) + (opt === 'adam' ? 0 : 0.2) + (Math.log10(lr) + 2.5) ** 2 * 0.3 + (Math.log2(units) - 7) ** 2 * 0.05 + noise.next() * 0.1;
            lines.push(`${act},${opt},${lr},${units},${seed},${v}`);
          }
  return lines.join('\n');
}

function functionProblem(fn: ReturnType<typeof branin>): Problem {
  return {
    name: fn.name, space: fn.space, direction: 'minimize',
    evaluate: (p) => fn.evaluate(p), regret: (p) => fn.evaluate(p) - fn.optimum, regretName: 'simple regret', hasOrderedFinite: false,
  };
}

interface Strategy { name: string; run: (pr: Problem, budget: number, seed: number) => Promise<{ params: Params[]; values: number[] }> }

function hz(name: string, make: () => Sampler): Strategy {
  return { name: `hyperzone ${name}`, run: async (pr, budget, seed) => runSequential(make(), pr.space, pr.direction, pr.evaluate, budget, seed) };
}

function opt(bridge: OptunaBridge, sampler: OptunaSamplerName, encoding: OptunaEncoding, label: boolean): Strategy {
  return {
    name: `optuna ${sampler}${label ? (encoding === 'categorical' ? ' (cat)' : ' (ordered)') : ''}`,
    run: (pr, budget, seed) => runOptuna(bridge, { sampler, encoding, space: pr.space, direction: pr.direction, evaluate: pr.evaluate, budget, seed }),
  };
}

/** Regret of the best observed configuration after each evaluation. */
function anytime(pr: Problem, r: { params: Params[]; values: number[] }): number[] {
  const sign = pr.direction === 'minimize' ? 1 : -1;
  const out: number[] = [];
  let best = -1;
  r.values.forEach((v, i) => {
    if (best < 0 || sign * v < sign * (r.values[best] as number)) best = i;
    out.push(pr.regret(r.params[best] as Params));
  });
  return out;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toExponential(1));

/** Milliseconds for one proposal after `n` complete trials (median of 5). */
function overheadMs(sampler: Sampler, pr: Problem, n: number): number {
  const rng = new Rng(7);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const p = pr.space.sample(rng);
    trials.push({ ...makeTrial(i, p, pr.evaluate(p, rng)), attrs: { 'sobol.index': i, 'sobol.seed': 1 } });
  }
  const times: number[] = [];
  for (let k = 0; k < 6; k++) {
    const t0 = performance.now();
    sampler.sample?.({ space: pr.space, direction: pr.direction, trials, rng: new Rng(k) });
    if (k > 0) times.push(performance.now() - t0); // the first call warms the JIT
  }
  return quantile(times, 0.5);
}

function optunaAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const problems: Problem[] = [];
  if (args.quick) {
    problems.push(tableProblem('synthetic', await TabularObjective.fromCsvText(syntheticCsv(), { metric: 'loss', direction: 'minimize' })));
    problems.push(functionProblem(branin()));
  } else {
    for (const t of args.tables) {
      const path = `${BENCH_DIR}fcnet-${t}.csv.gz`;
      if (!existsSync(path)) { console.log(`(skipping table ${t}: ${path} is absent)`); continue; }
      const t0 = performance.now();
      problems.push(tableProblem(`fcnet ${t}`, await TabularObjective.load(path, { metric: 'valid_mse', direction: 'minimize' })));
      console.log(`loaded fcnet ${t} in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }
    problems.push(functionProblem(branin()), functionProblem(hartmann6()));
  }
  const hzStrategies = [
    hz('random', () => plainRandomSampler),
    hz('sobol', () => new SobolSampler()),
    hz('tpe', () => new TpeSampler()),
    hz('tpe-multivariate', () => new TpeSampler({ multivariate: true })),
  ];
  let bridge: OptunaBridge | null = null;
  let optunaVersion = 'not run';
  if (args.optuna && optunaAvailable()) {
    bridge = OptunaBridge.start();
    optunaVersion = await bridge.version();
  } else if (args.optuna) console.log('(Optuna unavailable at /usr/bin/python3: Optuna rows skipped)');
  const maxBudget = args.budgets[args.budgets.length - 1] as number;
  const curves: Record<string, Record<string, number[][]>> = {};
  console.log(`\n# Strategy comparison: ${args.reps} reps, budgets ${args.budgets.join(', ')}; Optuna ${optunaVersion}; node ${process.version}\n`);
  for (const pr of problems) {
    const strategies = [...hzStrategies];
    if (bridge) {
      const b = bridge;
      strategies.push(opt(b, 'random', 'categorical', pr.hasOrderedFinite));
      for (const s of ['tpe', 'tpe-multivariate'] as const) {
        strategies.push(opt(b, s, 'categorical', pr.hasOrderedFinite));
        if (pr.hasOrderedFinite) strategies.push(opt(b, s, 'ordered', true));
      }
    }
    const rows: string[] = [];
    curves[pr.name] = {};
    for (const st of strategies) {
      const t0 = performance.now();
      const runs: number[][] = [];
      for (let rep = 0; rep < args.reps; rep++) runs.push(anytime(pr, await st.run(pr, maxBudget, 1000 + rep)));
      (curves[pr.name] as Record<string, number[][]>)[st.name] = runs;
      const cells = args.budgets.map((b) => {
        const at = runs.map((c) => c[Math.min(b, c.length) - 1] as number);
        return `${fmt(quantile(at, 0.5))} (${fmt(quantile(at, 0.25))}–${fmt(quantile(at, 0.75))})`;
      });
      rows.push(`| ${st.name} | ${cells.join(' | ')} | ${((performance.now() - t0) / 1000 / args.reps).toFixed(2)} |`);
    }
    console.log(`## ${pr.name}: median (IQR) ${pr.regretName} of the best observed configuration\n`);
    console.log(`| strategy | ${args.budgets.map((b) => `${b} evals`).join(' | ')} | s/run |`);
    console.log(`|---|${args.budgets.map(() => '---').join('|')}|---|`);
    for (const r of rows) console.log(r);
    console.log('');
  }
  await bridge?.close();
  const ref = problems[0] as Problem;
  console.log(`## Sampler overhead: ms to propose one configuration after 1,000 trials (${ref.name} space, median of 5)\n`);
  console.log('| sampler | ms |\n|---|---|');
  for (const [name, s] of [['random', plainRandomSampler], ['sobol', new SobolSampler()], ['tpe', new TpeSampler()], ['tpe-multivariate', new TpeSampler({ multivariate: true })]] as const) {
    console.log(`| hyperzone ${name} | ${overheadMs(s, ref, 1000).toFixed(2)} |`);
  }
  const outDir = fileURLToPath(new URL('./out/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const file = `${outDir}strategies-${args.quick ? 'quick' : 'full'}.json`;
  writeFileSync(file, JSON.stringify({ args, optuna: optunaVersion, curves }));
  console.log(`\nanytime curves (regret after each evaluation, per rep): ${file}`);
}

await main();
