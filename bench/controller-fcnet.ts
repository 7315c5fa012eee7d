// The learned controller's warm start (issue 16) on FCNet, leave one table out: a surrogate trained on finished
// trials of three tables (random configurations, one noisy seed each, log10 of valid_mse) warm-starts
// `sampler: controller` on the fourth (its first `--warm` trials by EI, then `auto`), against `auto` cold, on the
// same seeds and the same noise stream (evaluationNoise, as bench/strategies.ts). Median rank regret of the returned
// configuration at each budget (evaluations), paired sign tests by (table, seed), and whether half the evaluations
// reach auto's median.
// Usage: HZ_BENCH_DATA=… nice -n 10 npx tsx bench/controller-fcnet.ts [--tables a,b] [--reps 5] [--seed-base 1000]
//        [--budgets 50,100,200] [--warm 10] [--configs 1000] [--members 3] [--epochs 15] [--out FILE.json]
//        [--rows controller,auto] (also `portfolio`: `start: portfolio`, the warm trials a greedy portfolio from
//        --configs configurations drawn once and run, one noisy seed each, on each of the other three tables;
//        settings: docs/controller-2026-12-03/FCNET-PORTFOLIO-SETTINGS.md)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TabularObjective } from './objectives/tabular.js';
import { benchDataPath } from './support/data-dir.js';
import { evaluationNoise, makeTrial } from './support/loop.js';
import { signTest } from './support/sign-test.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import type { TrialRecord } from '../src/core/types.js';
import type { Example } from '../src/controller/features.js';
import { Surrogate } from '../src/controller/surrogate.js';
import { AutoSampler } from '../src/samplers/auto.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { ControllerSampler } from '../src/samplers/controller.js';
import { quantile } from '../src/stats/intervals.js';
import { portfolioFromTrials } from '../src/controller/portfolio.js';
import type { Params } from '../src/core/types.js';

const ROWS = ['controller', 'auto', 'portfolio'] as const;
type Row = (typeof ROWS)[number];

export const TABLES = ['naval_propulsion', 'parkinsons_telemonitoring', 'protein_structure', 'slice_localization'] as const;

interface Args {
  tables: string[]; rows: Row[]; reps: number; seedBase: number; budgets: number[]; warm: number; configs: number; members: number; epochs: number; out: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    tables: [...TABLES], rows: ['controller', 'auto'], reps: 5, seedBase: 1000, budgets: [50, 100, 200], warm: 10, configs: 1000, members: 3, epochs: 15, out: 'bench/out/controller-fcnet.json',
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--tables') a.tables = v.split(',');
    else if (k === '--reps') a.reps = Number(v);
    else if (k === '--rows') a.rows = v.split(',') as Row[];
    else if (k === '--seed-base') a.seedBase = Number(v);
    else if (k === '--budgets') a.budgets = v.split(',').map(Number);
    else if (k === '--warm') a.warm = Number(v);
    else if (k === '--configs') a.configs = Number(v);
    else if (k === '--members') a.members = Number(v);
    else if (k === '--epochs') a.epochs = Number(v);
    else if (k === '--out') a.out = v;
    else throw new Error(`Unknown option ${k}`);
  }
  for (const t of a.tables) if (!(TABLES as readonly string[]).includes(t)) throw new Error(`Unknown table ${t}; known: ${TABLES.join(', ')}`);
  for (const r of a.rows) if (!(ROWS as readonly string[]).includes(r)) throw new Error(`Unknown row ${r}; known: ${ROWS.join(', ')}`);
  if (!a.rows.includes('auto')) throw new Error('Expected the auto row (every comparison is against it)');
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error(`Expected --reps ≥ 1, got ${a.reps}`);
  a.budgets.sort((x, y) => x - y);
  return a;
}

/** Finished trials of an earlier study on a table: random configurations, one noisy seed each, log10 of the error. */
function examplesOf(t: TabularObjective, table: string, n: number): Example[] {
  const rng = new Rng(deriveSeed(16, 'fcnet-examples', table));
  return Array.from({ length: n }, () => {
    const p = t.space.sample(rng);
    return { params: p, curve: [], budget: 1, final: Math.log10(t.evaluate(p, rng)), group: table };
  });
}

/**
 * The `portfolio` row's warm start: `n` configurations drawn once (the same on every table), one noisy seed each on
 * each table but `heldOut`, log10 of the error; the greedy portfolio of `size` (src/controller/portfolio.ts).
 */
function sharedPortfolio(objectives: Map<string, TabularObjective>, heldOut: string, n: number, size: number): Params[] {
  const space = (objectives.get(heldOut) as TabularObjective).space;
  const pick = new Rng(deriveSeed(16, 'fcnet-portfolio-configs'));
  const configs = Array.from({ length: n }, () => space.sample(pick));
  const trials = TABLES.filter((t) => t !== heldOut).flatMap((table) => {
    const rng = new Rng(deriveSeed(16, 'fcnet-portfolio-noise', table));
    const t = objectives.get(table) as TabularObjective;
    return configs.map((params) => ({ params, value: Math.log10(t.evaluate(params, rng)), group: table }));
  });
  return [...portfolioFromTrials(trials, 'minimize', size).params];
}

/** One run of `budget` noisy evaluations; the rank regret of the configuration the sampler returns. */
function runOnce(t: TabularObjective, sampler: ControllerSampler | AutoSampler, budget: number, seed: number): number {
  const trials: TrialRecord[] = [];
  for (let i = 0; i < budget; i++) {
    const r: ReturnType<NonNullable<Sampler["sample"]>> = sampler.sample({ space: t.space, direction: t.direction, trials, rng: new Rng(deriveSeed(seed, i)) });
    if (r === null) break;
    trials.push({ ...makeTrial(i, r.params, t.evaluate(r.params, evaluationNoise(seed, i))), attrs: r.attrs ?? {} });
  }
  const ret = sampler.returnedConfiguration(trials, t.space, t.direction);
  return ret ? t.rankRegret(ret.params) : 1;
}

const fmt = (x: number): string => (x === 0 ? '0' : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toExponential(1));
const med = (xs: readonly number[]): number => quantile(xs, 0.5);

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const started = new Date();
  console.log(`# controller warm start vs auto on FCNet, leave one table out (${started.toISOString()})`);
  console.log(`Command: \`npx tsx bench/controller-fcnet.ts ${argv.join(' ')}\``.replace(' `', '`'));
  console.log(`tables ${a.tables.join(', ')}; seeds ${a.seedBase}–${a.seedBase + a.reps - 1}; budgets ${a.budgets.join('/')} evaluations; warm ${a.warm}; models: ${a.configs} configurations per training table, ${a.members} members [32, 32], ${a.epochs} epochs`);
  const objectives = new Map<string, TabularObjective>();
  for (const name of TABLES) objectives.set(name, await TabularObjective.load(benchDataPath(`fcnet-${name}.csv.gz`), { metric: 'valid_mse', direction: 'minimize' }));
  const results: { table: string; rows: Partial<Record<Row, number[][]>>; trainSeconds: number | null }[] = [];
  const at = (r: (typeof results)[number], row: Row): number[][] => r.rows[row] as number[][];
  for (const table of a.tables) {
    const t = objectives.get(table) as TabularObjective;
    const file = join('bench/out/controller', `fcnet-without-${table}-c${a.configs}-m${a.members}-e${a.epochs}.json`);
    let model: Surrogate;
    let trainSeconds: number | null = null;
    if (existsSync(file)) model = new Surrogate(JSON.parse(readFileSync(file, 'utf8')));
    else {
      const train = TABLES.filter((n) => n !== table).flatMap((n) => examplesOf(objectives.get(n) as TabularObjective, n, a.configs));
      model = await Surrogate.train(t.space, 'minimize', train, { members: a.members, hidden: [32, 32], epochs: a.epochs, batchSize: 256, learningRate: 3e-3, seed: 16, validationShare: 0, backend: 'wasm' });
      mkdirSync(dirname(file), { recursive: true });
      model.save(file);
      trainSeconds = model.json.training.seconds;
    }
    if (model.json.training.groups.includes(table)) throw new Error(`model ${file} saw the held-out table ${table}`);
    const portfolio = a.rows.includes('portfolio') ? sharedPortfolio(objectives, table, a.configs, a.warm) : [];
    const r: (typeof results)[number] = { table, rows: {}, trainSeconds };
    const t0 = performance.now();
    for (let rep = 0; rep < a.reps; rep++) {
      const seed = a.seedBase + rep;
      const make = (row: Row, b: number): ControllerSampler | AutoSampler => (row === 'auto' ? new AutoSampler({ trials: b }) : new ControllerSampler({
        model, warm: a.warm, trials: b, transform: Math.log10, after: new AutoSampler({ trials: b }), ...(row === 'portfolio' ? { start: 'portfolio' as const, portfolio } : {}),
      }));
      for (const row of a.rows) (r.rows[row] ??= []).push(a.budgets.map((b) => runOnce(t, make(row, b), b, seed)));
    }
    results.push(r);
    mkdirSync(dirname(a.out), { recursive: true });
    writeFileSync(a.out, JSON.stringify({ args: a, started: started.toISOString(), results, complete: false }));
    const cells = a.budgets.map((_, j) => a.rows.map((row) => fmt(med(at(r, row).map((x) => x[j] as number)))).join(' / '));
    console.log(`${table}: median rank regret ${a.rows.join(' / ')} @${a.budgets.join('/')}: ${cells.join('; ')} (${((performance.now() - t0) / 1000 / a.reps).toFixed(0)} s/rep${trainSeconds !== null ? `; model trained in ${trainSeconds.toFixed(0)} s` : ''})`);
  }
  console.log(`\n| table | row | ${a.budgets.map((b) => `${b} evals`).join(' | ')} |\n|---|---|${a.budgets.map(() => '---').join('|')}|`);
  for (const r of results) {
    for (const row of a.rows) {
      const xs = at(r, row);
      console.log(`| ${r.table} | ${row} | ${a.budgets.map((_, j) => { const v = xs.map((x) => x[j] as number); return `${fmt(med(v))} (${fmt(quantile(v, 0.25))}…${fmt(quantile(v, 0.75))})`; }).join(' | ')} |`);
    }
  }
  const pairs = ([['controller', 'auto'], ['portfolio', 'auto'], ['portfolio', 'controller']] as const).filter(([x, y]) => a.rows.includes(x) && a.rows.includes(y));
  for (const [x, y] of pairs) {
    const pooled = a.budgets.map((b, j) => {
      const s = signTest(results.flatMap((r) => at(r, x).map((v) => v[j] as number)), results.flatMap((r) => at(r, y).map((v) => v[j] as number)));
      return `@${b}: lower in ${s.less}, higher in ${s.greater}, tied ${s.ties} (p = ${s.p.toPrecision(2)})`;
    });
    console.log(`\n${x} vs ${y}, paired by table and seed (sign test): ${pooled.join('; ')}`);
  }
  for (const row of a.rows.filter((x) => x !== 'auto')) {
    const half = a.budgets.map((b, j) => {
      const k = a.budgets.indexOf(b / 2);
      if (k < 0) return null;
      const ok = results.filter((r) => med(at(r, row).map((x) => x[k] as number)) <= med(at(r, 'auto').map((x) => x[j] as number))).length;
      return `${ok}/${results.length} tables @${b}`;
    }).filter((x) => x !== null);
    console.log(`${row}: half the evaluations reach auto's median: ${half.join(', ') || '–'}`);
  }
  console.log(`peak memory (max RSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; wall ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
  mkdirSync(dirname(a.out), { recursive: true });
  writeFileSync(a.out, JSON.stringify({ args: a, started: started.toISOString(), results, complete: true }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
