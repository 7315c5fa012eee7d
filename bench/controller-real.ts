// The learned controller's warm start (issue 16) on real data, at reduced CPU scale: MNIST and Fashion-MNIST
// warm-started from each other. A controller trained (`hyperzone controller train`) on a 40-trial source study of one
// dataset warm-starts `ControllerSampler` (warm trials by EI, then `auto`) on the other; against `auto` cold at equal
// compute (the same trials, images and epochs), on the same seeds. The settings, committed before any study ran:
// docs/controller-real-2026-12-02/SETTINGS.md. The target's own source study is never read (leakage): each model must
// have been trained on the other dataset's source study only, which is checked from the model file.
//
// Evaluation k of configuration p on dataset d trains with seed deriveSeed(16, 'controller-real', d, key(p), k), k the
// count of earlier evaluations of p in the same run, so both rows and every seed see the same noisy function; an
// evaluation already made is read from bench/out/controller-real/cache-<dataset>.json (it still counts as a trial).
//
// Usage (after the two source studies and `controller train`, see the README):
//   nice -n 10 npx tsx bench/controller-real.ts [--reps 3] [--trials 20] [--budgets 5,10,20] [--warm 10]
//     [--targets fashion-mnist,mnist] [--dir bench/out/controller-real] [--time-box-min 80] [--out FILE.json]
//   npx tsx bench/controller-real.ts --from FILE.json            # reprint the tables
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTrial } from './support/loop.js';
import { signTest } from './support/sign-test.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { paramsKey } from '../src/core/keys.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { Surrogate } from '../src/controller/surrogate.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { ControllerSampler } from '../src/samplers/controller.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { loadPlan } from '../src/spec/load.js';
import { quantile } from '../src/stats/intervals.js';

export type Target = 'mnist' | 'fashion-mnist';
const HERE = dirname(fileURLToPath(import.meta.url));
const SETTINGS_DIR = join(HERE, '..', 'docs', 'controller-real-2026-12-02');

/** The short name of a dataset in the study names (`real-src-<short>`). */
export const shortName = (d: Target): string => (d === 'fashion-mnist' ? 'fashion' : 'mnist');
/** The other dataset: the source of the target's warm start. */
export const sourceOf = (target: Target): Target => (target === 'mnist' ? 'fashion-mnist' : 'mnist');
/** The source study whose trials may train the model that warm-starts `target`. */
export const sourceStudyFor = (target: Target): string => `real-src-${shortName(sourceOf(target))}`;
/** The model file that warm-starts `target`. */
export const modelFileFor = (dir: string, target: Target): string => join(dir, `from-${shortName(sourceOf(target))}.json`);

/**
 * Why a model trained on the studies `groups` must not warm-start `target` (null when it may): it must have been trained
 * on the other dataset's source study and on nothing else, above all not on the target's own.
 */
export function leakageProblem(groups: readonly string[], target: Target): string | null {
  const own = `real-src-${shortName(target)}`;
  if (groups.includes(own)) return `it was trained on ${own}, the target's own source study (leakage)`;
  const want = sourceStudyFor(target);
  if (groups.length !== 1 || groups[0] !== want) return `it was trained on ${groups.join(', ') || 'nothing'}; expected only ${want}`;
  return null;
}

/** The training seed of evaluation `k` (0-based count of earlier evaluations in the run) of `params` on `dataset`. */
export function evaluationSeed(dataset: Target, params: Params, k: number): number {
  return deriveSeed(16, 'controller-real', dataset, paramsKey(params), k);
}

/** The best value among the first `b` values (maximised); NaN when there are none. */
export function anytimeBest(values: readonly number[], b: number): number {
  let best = -Infinity;
  for (const v of values.slice(0, b)) if (Number.isFinite(v) && v > best) best = v;
  return best === -Infinity ? NaN : best;
}

/** One evaluation: its value, test accuracy and training seconds (0 when read from the cache). */
export interface Evaluation { value: number; test: number; seconds: number; cached?: boolean }

/** One run of a row on a target: every evaluation in order, and the configuration the sampler returned. */
export interface Run {
  target: Target; row: 'controller' | 'auto'; seed: number;
  params: Params[]; values: number[]; tests: number[]; cached: boolean[];
  returned: Params | null; seconds: number;
}

/** The returned configuration's mean validation and test accuracy over its evaluations in the run. */
export function returnedScores(run: Pick<Run, 'params' | 'values' | 'tests' | 'returned'>): { val: number; test: number; n: number } {
  if (run.returned === null) return { val: NaN, test: NaN, n: 0 };
  const key = paramsKey(run.returned);
  const idx = run.params.map((p, i) => (paramsKey(p) === key ? i : -1)).filter((i) => i >= 0);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { val: mean(idx.map((i) => run.values[i] as number)), test: mean(idx.map((i) => run.tests[i] as number)), n: idx.length };
}

/** The training seconds of a run's evaluations as first measured (a cache hit at what it cost when trained). */
export function runCost(run: Pick<Run, 'params'>, cache: Readonly<Record<string, Pick<Evaluation, 'seconds'>>>): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (const p of run.params) {
    const key = paramsKey(p);
    const k = counts.get(key) ?? 0;
    counts.set(key, k + 1);
    total += cache[`${key}#${k}`]?.seconds ?? NaN;
  }
  return total;
}

/** The evaluation caches of the targets, from `dir` (empty where there is none). */
export function readCaches(dir: string): Record<string, Record<string, Evaluation>> {
  const out: Record<string, Record<string, Evaluation>> = {};
  for (const t of ['mnist', 'fashion-mnist']) {
    const f = join(dir, `cache-${t}.json`);
    out[t] = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) as Record<string, Evaluation> : {};
  }
  return out;
}

/** Per target, budget and row: the best-so-far values and regrets over seeds, and the paired comparison. */
export interface Cell { budget: number; controller: number[]; auto: number[]; regretC: number[]; regretA: number[]; sign: ReturnType<typeof signTest> }

/** The anytime comparison of one target, runs paired by seed (seeds with both rows only). */
export function compare(runs: readonly Run[], target: Target, budgets: readonly number[]): { best: number; seeds: number[]; cells: Cell[] } {
  const mine = runs.filter((r) => r.target === target);
  const best = Math.max(...mine.flatMap((r) => r.values.filter(Number.isFinite)));
  const by = (row: Run['row']): Map<number, Run> => new Map(mine.filter((r) => r.row === row).map((r) => [r.seed, r]));
  const c = by('controller'), a = by('auto');
  const seeds = [...c.keys()].filter((s) => a.has(s)).sort((x, y) => x - y);
  const cells = budgets.map((budget) => {
    const controller = seeds.map((s) => anytimeBest((c.get(s) as Run).values, budget));
    const auto = seeds.map((s) => anytimeBest((a.get(s) as Run).values, budget));
    return {
      budget, controller, auto, regretC: controller.map((v) => best - v), regretA: auto.map((v) => best - v),
      // signTest counts a < b as "less": controller's regret below auto's is a controller win.
      sign: signTest(controller.map((v) => best - v), auto.map((v) => best - v)),
    };
  });
  return { best, seeds, cells };
}

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(2) : '—');
const medRange = (xs: readonly number[]): string => (xs.length === 0 ? '—' : `${pct(quantile(xs, 0.5))} (${pct(Math.min(...xs))}–${pct(Math.max(...xs))})`);

/** The comparison tables (markdown), from the runs alone. */
export function tables(runs: readonly Run[], budgets: readonly number[], caches: Readonly<Record<string, Record<string, Evaluation>>> = {}): string[] {
  const lines: string[] = [];
  const targets = [...new Set(runs.map((r) => r.target))];
  for (const target of targets) {
    const { best, seeds, cells } = compare(runs, target, budgets);
    lines.push(`${shortName(sourceOf(target))} → ${target}: ${seeds.length} paired seeds (${seeds.join(', ')}); best validation accuracy of any evaluation in these runs ${pct(best)} %`);
    lines.push('| trials | controller: best val. acc. %, median (min–max) | auto cold | regret (points), controller | regret, auto | controller better / worse / tie (sign test p) |');
    lines.push('|---:|---|---|---|---|---|');
    for (const x of cells) {
      lines.push(`| ${x.budget} | ${medRange(x.controller)} | ${medRange(x.auto)} | ${medRange(x.regretC)} | ${medRange(x.regretA)} | ${x.sign.less} / ${x.sign.greater} / ${x.sign.ties} (p = ${x.sign.p.toPrecision(2)}) |`);
    }
    const pick = (row: Run['row']): Run[] => seeds.map((s) => runs.find((r) => r.target === target && r.row === row && r.seed === s) as Run);
    const rc = pick('controller').map(returnedScores), ra = pick('auto').map(returnedScores);
    const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
    const dTest = rc.map((r, i) => r.test - (ra[i] as { test: number }).test);
    lines.push(
      `Returned configuration after ${Math.max(...budgets)} trials, mean over seeds: validation ${pct(mean(rc.map((r) => r.val)))} vs ${pct(mean(ra.map((r) => r.val)))} %, ` +
        `**test ${pct(mean(rc.map((r) => r.test)))} vs ${pct(mean(ra.map((r) => r.test)))} %** (controller vs auto; paired difference ${dTest.map((d) => (d >= 0 ? '+' : '') + pct(d)).join(', ')} points by seed).`,
    );
    const first = pick('controller').map((r) => r.values[0] as number), firstA = pick('auto').map((r) => r.values[0] as number);
    const secs = (row: Run['row']): string => {
      const xs = pick(row).map((r) => runCost(r, caches[target] ?? {}));
      return `median ${quantile(xs, 0.5).toFixed(0)} s (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
    };
    lines.push(`First trial: controller ${medRange(first)}, auto ${medRange(firstA)} (median, range). ` +
      `Training seconds per run (each evaluation at its measured cost, cache hits included): controller ${secs('controller')}; auto ${secs('auto')}.`);
    lines.push('');
  }
  return lines;
}

interface Args { reps: number; trials: number; budgets: number[]; warm: number; targets: Target[]; dir: string; timeBoxMin: number; out: string; from: string }

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { reps: 3, trials: 20, budgets: [5, 10, 20], warm: 10, targets: ['fashion-mnist', 'mnist'], dir: 'bench/out/controller-real', timeBoxMin: 80, out: '', from: '' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--reps') a.reps = Number(v);
    else if (k === '--trials') a.trials = Number(v);
    else if (k === '--budgets') a.budgets = v.split(',').map(Number);
    else if (k === '--warm') a.warm = Number(v);
    else if (k === '--targets') a.targets = v.split(',') as Target[];
    else if (k === '--dir') a.dir = v;
    else if (k === '--time-box-min') a.timeBoxMin = Number(v);
    else if (k === '--out') a.out = v;
    else if (k === '--from') a.from = v;
    else throw new Error(`Unknown option ${k}`);
  }
  for (const t of a.targets) if (t !== 'mnist' && t !== 'fashion-mnist') throw new Error(`Unknown target ${t}; known: mnist, fashion-mnist`);
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error(`Expected --reps ≥ 1, got ${a.reps}`);
  if (!Number.isInteger(a.trials) || a.trials < 1) throw new Error(`Expected --trials ≥ 1, got ${a.trials}`);
  if (a.budgets.some((b) => !Number.isInteger(b) || b < 1 || b > a.trials)) throw new Error(`Expected --budgets in 1…--trials, got ${a.budgets.join(',')}`);
  a.budgets.sort((x, y) => x - y);
  return a;
}

/** The study plan of a dataset's source spec: the bench's space, fixed params, epochs and trainer come from it. */
export function planFor(target: Target) {
  return loadPlan(join(SETTINGS_DIR, `source-${shortName(target)}.yaml`));
}

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const log = (s: string): void => void process.stderr.write(s + '\n');
  if (a.from !== '') {
    const saved = JSON.parse(readFileSync(a.from, 'utf8')) as { runs: Run[]; budgets: number[] };
    process.stdout.write(tables(saved.runs, saved.budgets, readCaches(a.dir)).join('\n') + '\n');
    return;
  }
  const { createTfjsRunner } = await import('../src/runners/tfjs/runner.js');
  const started = Date.now();
  const deadline = started + a.timeBoxMin * 60_000;
  const load0 = loadavg();
  const runs: Run[] = [];
  let cut = 0;
  // Every target's trainer and model first, then seed by seed across targets and rows, so that a time box cuts the
  // same seeds from every target and row.
  interface Setup {
    target: Target; plan: ReturnType<typeof planFor>; model: Surrogate;
    evaluate: (params: Params, k: number) => Promise<Evaluation>; close: () => Promise<void>;
  }
  const setups: Setup[] = [];
  for (const target of a.targets) {
    const plan = planFor(target);
    if (plan.budget === null) throw new Error('the source spec has no epoch budget');
    const tr = plan.trainer as { dataset: Target; train_limit?: number; validation_split?: number; backend?: 'wasm' | 'cpu' | 'auto' | 'tensorflow' };
    if (tr.dataset !== target) throw new Error(`source-${shortName(target)}.yaml trains on ${String(tr.dataset)}`);
    const file = modelFileFor(a.dir, target);
    const model = Surrogate.load(file);
    const problem = leakageProblem(model.json.training.groups, target);
    if (problem !== null) throw new Error(`${file} may not warm-start ${target}: ${problem}`);
    const cacheFile = join(a.dir, `cache-${target}.json`);
    const cache: Record<string, Evaluation> = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
    const runner = createTfjsRunner({
      dataset: target, ...(tr.train_limit !== undefined ? { trainLimit: tr.train_limit } : {}), validationSplit: tr.validation_split ?? 0.2,
      evaluateTest: true, backend: tr.backend ?? 'wasm', workers: 1, metric: 'val_accuracy', direction: 'maximize',
    });
    await runner.prepare?.();
    const epochs = plan.budget;
    const evaluate = async (params: Params, k: number): Promise<Evaluation> => {
      const key = `${paramsKey(params)}#${k}`;
      const hit = cache[key];
      if (hit) return { ...hit, seconds: 0, cached: true };
      const t0 = performance.now();
      const o = await runner.run(
        { trialId: 1, number: 0, params: { ...plan.fixed, ...params }, seed: evaluationSeed(target, params, k), budget: epochs },
        { report: () => undefined, signal: new AbortController().signal },
      );
      const e: Evaluation = o.state === 'complete'
        ? { value: o.value, test: o.metrics?.['test_accuracy'] as number, seconds: (performance.now() - t0) / 1000 }
        : { value: NaN, test: NaN, seconds: (performance.now() - t0) / 1000 };
      cache[key] = e;
      writeFileSync(cacheFile, JSON.stringify(cache));
      return e;
    };
    setups.push({ target, plan, model, evaluate, close: async () => { await runner.close?.(); } });
  }
  try {
    for (let seed = 1; seed <= a.reps; seed++) {
      for (const { target, plan, model, evaluate } of setups) {
        for (const row of ['controller', 'auto'] as const) {
          if (Date.now() > deadline) { cut++; log(`time box: ${target} ${row} seed ${seed} not run`); continue; }
          const sampler = row === 'auto' ? new AutoSampler({ trials: a.trials }) : new ControllerSampler({ model, warm: a.warm, trials: a.trials });
          const run: Run = { target, row, seed, params: [], values: [], tests: [], cached: [], returned: null, seconds: 0 };
          const trials: TrialRecord[] = [];
          const counts = new Map<string, number>();
          for (let i = 0; i < a.trials; i++) {
            const r: ReturnType<NonNullable<Sampler['sample']>> = sampler.sample({ space: plan.space, direction: 'maximize', trials, rng: new Rng(deriveSeed(seed, i)) });
            if (r === null) break;
            const key = paramsKey(r.params);
            const k = counts.get(key) ?? 0;
            counts.set(key, k + 1);
            const e = await evaluate(r.params, k);
            run.params.push(r.params); run.values.push(e.value); run.tests.push(e.test); run.cached.push(e.cached === true);
            run.seconds += e.seconds;
            const attrs = r.attrs ?? {};
            const ok = Number.isFinite(e.value);
            trials.push({ ...makeTrial(i, r.params, ok ? e.value : null, ok ? 'complete' : 'failed'), attrs });
          }
          run.returned = sampler.returnedConfiguration(trials, plan.space, 'maximize')?.params ?? null;
          runs.push(run);
          log(`${target} ${row} seed ${seed}: ${run.cached.filter(Boolean).length} cached, ${run.seconds.toFixed(0)} s training, load ${loadavg()[0]?.toFixed(1)}, ${new Date().toISOString()}`);
          if (a.out !== '') { mkdirSync(dirname(a.out), { recursive: true }); writeFileSync(a.out, JSON.stringify({ budgets: a.budgets, runs, partial: true }, null, 1)); }
        }
      }
    }
  } finally {
    for (const s of setups) await s.close();
  }
  const lines = tables(runs, a.budgets, readCaches(a.dir));
  const wall = (Date.now() - started) / 1000;
  lines.push(`${a.trials} trials a run (${a.warm} warm), ${a.reps} seeds; ${cut} runs cut by the ${a.timeBoxMin}-minute time box. Wall ${wall.toFixed(0)} s; ` +
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at end; ${new Date(started).toISOString()}.`);
  process.stdout.write(lines.join('\n') + '\n');
  if (a.out !== '') writeFileSync(a.out, JSON.stringify({ budgets: a.budgets, runs, wallSeconds: wall, cut, load0, load1: loadavg() }, null, 1));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  });
}
