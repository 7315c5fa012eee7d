// The learned controller's warm start (issue 16) on the LCBench surrogate, leave-one-task-out on the 23 meta-training
// tasks: for each held-out task a surrogate trained on the other 22 warm-starts `sampler: controller` (its first
// `--warm` trials by EI on the surrogate, then `auto`), against `auto` cold and Optuna's TPE with Hyperband, on the
// same seeds. Reports the median normalised regret at 25/50/100/200 full-training equivalents (FTE = 52 epochs) and
// the compute each needs to reach `auto`'s median regret. The 11 reserved tasks are never loaded (checkMetaTask),
// except with `--final-reserved`: issue 16's one final report, on the 11 reserved tasks only, with a model trained on
// all 23 meta tasks (settings: docs/controller-2026-12-02/RESERVED-SETTINGS.md), which also reports the model's
// calibration there and, with `--sim-reps N`, its curve-extrapolation scheduler against ASHA and Hyperband.
// Usage: HZ_BENCH_DATA=… nice -n 10 npx tsx bench/controller-regret.ts [--tasks every3|rest15|all|a,b,…] [--reps 5]
//        [--seed-base 1000] [--budgets 25,50,100,200] [--warm 10] [--rows controller,auto,optuna]
//        (rows also controller+asha, auto+asha: the spec's sampler with `scheduler: { type: asha }`, library defaults,
//        one run per seed to the largest budget, compute = epochs trained / 52, stopped trials included;
//        controller-portfolio / controller-portfolio-c30: `start: portfolio`, the warm trials a greedy portfolio from
//        the other 22 tasks' configurations, shared (200 run on each) or the fold model's own 30 per task)
//        [--configs 30] [--members 3] [--epochs 15] [--model-dir bench/out/controller] [--out FILE.json]
//        [--from a.json,b.json] (no run: merge the rows of earlier runs, by task, and print the report)
//        [--printed docs/…/regret-lcbench.md] (with --from: add the tasks of an earlier printed report, by its
//        per-task medians and sign-test counts, for the task-level figures over all of them)
//        [--final-reserved] [--sim-reps 2] [--sim-max-cost 50] [--thresholds 0.05,0.01] (the reserved tasks; see above)
// Models: trained per fold once and cached in --model-dir under the same names as bench/controller-lcbench.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { YahpoLcbench, lcbenchAvailable, lcbenchSpace, LCBENCH_MAX_EPOCH } from './objectives/yahpo-lcbench.js';
import { benchDataPath } from './support/data-dir.js';
import {
  META_TASKS, RESERVED_TASKS, checkMetaTask, checkReservedTask, configStream, examplesOf, regretAt, runScheduler, taskCurves, type Curves,
} from './controller-lcbench.js';
import { wilcoxon } from './support/wilcoxon.js';
import type { Scores } from '../src/controller/evaluate.js';
import { CurveExtrapolationScheduler } from '../src/schedulers/curve-extrapolation.js';
import { ashaScheduler } from '../src/schedulers/successive-halving.js';
import { HyperbandScheduler } from '../src/schedulers/hyperband.js';
import type { Scheduler } from '../src/schedulers/scheduler.js';
import { makeTrial } from './support/loop.js';
import { incumbentAt, type IncumbentEvent } from './support/incumbent.js';
import { runMultiFidelity, runOptunaWithPruner, type CurveProblem } from './support/multifidelity.js';
import { OptunaBridge } from './support/optuna.js';
import { pythonPath } from './support/python.js';
import { signTest } from './support/sign-test.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { paramsKey } from '../src/core/keys.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { Surrogate, type SurrogateTrainOptions } from '../src/controller/surrogate.js';
import { AutoSampler } from '../src/samplers/auto.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { ControllerSampler } from '../src/samplers/controller.js';
import { portfolioFromTrials } from '../src/controller/portfolio.js';
import { quantile } from '../src/stats/intervals.js';
import { SIM_METRIC } from './support/multifidelity.js';
import type { Space } from '../src/space/space.js';
import type { Direction } from '../src/core/types.js';
import { compile } from '../src/spec/compile.js';
import { createSampler, createScheduler } from '../src/spec/build.js';

/** The tasks of `--tasks every3`: every third meta task (indices 0, 3, …, 21), fixed before any run. */
export const EVERY_THIRD = META_TASKS.filter((_, i) => i % 3 === 0);
/** The tasks of `--tasks rest15`: the 15 meta tasks not in `every3`, in issue 16's order. */
export const REST_15 = META_TASKS.filter((_, i) => i % 3 !== 0);

export const ROWS = ['controller', 'auto', 'optuna', 'controller+asha', 'auto+asha', 'controller-ei', 'controller-gp', 'controller-c200', 'controller-portfolio', 'controller-portfolio-c30'] as const;
type Row = (typeof ROWS)[number];
const ROW_NAMES: Record<Row, string> = {
  controller: 'hyperzone controller (warm start, then auto)',
  auto: 'hyperzone auto (default, cold)',
  optuna: 'optuna tpe + hyperband',
  'controller+asha': 'hyperzone controller + asha (spec: sampler controller, scheduler asha)',
  'auto+asha': 'hyperzone auto + asha (spec: sampler auto, scheduler asha)',
  'controller-ei': 'hyperzone controller, EI on the corrected surrogate for the whole budget (warm = trials)',
  'controller-gp': 'hyperzone controller, warm start then auto with the surrogate as its GP\'s prior mean (priorMean)',
  'controller-c200': 'hyperzone controller (warm start, then auto), fold models on 200 configurations per task',
  'controller-portfolio': 'hyperzone controller, start: portfolio (greedy, from 200 configurations run on each of the other 22 tasks), then auto',
  'controller-portfolio-c30': 'hyperzone controller, start: portfolio (greedy, from the fold model\'s own 30 configurations per task, unshared), then auto',
};
/** Rows with a multi-fidelity scheduler: one run per seed to the largest budget, compute counted in epochs trained. */
export const MF_ROWS: readonly Row[] = ['controller+asha', 'auto+asha'];

/** What a spec-built row needs besides its name. */
export interface SpecStrategyOptions {
  readonly space: Space; readonly direction: Direction; readonly maxEpoch: number;
  /** The controller's model file (controller rows). */
  readonly modelFile?: string | undefined;
  /** `sampler.trials` (under a rung-based scheduler auto ignores it and the controller uses only its `warm`). */
  readonly trials: number;
  readonly warm?: number;
}

/**
 * The sampler and scheduler `hyperzone run` builds for a row, from the spec a user would write: `sampler: { type:
 * controller, model: FILE, warm }` or `{ type: auto }`, and for the `+asha` rows `scheduler: { type: asha }` with the
 * library's defaults (min_resource 1, reduction_factor 3, min_early_stopping_rate 0), `budget: { epochs: maxEpoch }`.
 * Under ASHA the spec makes auto BOHB-style (fitted on the highest rung with enough values), after the warm start too.
 */
export function specStrategy(row: 'controller' | 'auto' | 'controller+asha' | 'auto+asha', o: SpecStrategyOptions): { sampler: Sampler; scheduler: Scheduler | undefined; spec: Record<string, unknown> } {
  const controller = row.startsWith('controller');
  if (controller && o.modelFile === undefined) throw new Error(`row ${row} needs a model file`);
  const sampler = controller ? { type: 'controller', trials: o.trials, model: o.modelFile, ...(o.warm !== undefined ? { warm: o.warm } : {}) } : { type: 'auto', trials: o.trials };
  const spec: Record<string, unknown> = {
    study: `bench-${row.replace('+', '-')}`, space: o.space.toJSON(), trainer: { type: 'command', command: ['true'] },
    objective: { metric: SIM_METRIC, direction: o.direction }, budget: { epochs: o.maxEpoch }, sampler,
    ...(row.endsWith('+asha') ? { scheduler: { type: 'asha' } } : {}),
  };
  const plan = compile(spec);
  return { sampler: createSampler(plan), scheduler: createScheduler(plan), spec };
}

export interface Args {
  tasks: string[]; reps: number; seedBase: number; budgets: number[]; warm: number; rows: Row[];
  configs: number; members: number; epochs: number; modelDir: string; out: string;
  /** Result files of earlier runs to merge and report (no run). */
  from: string[];
  /** Issue 16's final report: the 11 reserved tasks (and only those), with the model trained on all 23 meta tasks. */
  finalReserved: boolean;
  /** With --final-reserved: seeds of the scheduler comparison (0: none), its FTE, the curve-extrapolation thresholds. */
  simReps: number; simMaxCost: number; thresholds: number[];
  /** With --from: an earlier report (markdown) whose tasks' per-seed regrets were not kept, combined by its printed figures. */
  printed: string;
}

/** The task check of a run: the 23 meta tasks, or with --final-reserved the 11 reserved ones. */
export const checkTask = (a: Pick<Args, 'finalReserved'>, task: string): void => (a.finalReserved ? checkReservedTask(task) : checkMetaTask(task));

export function parseArgs(argv: string[]): Args {
  const a: Args = {
    tasks: [...EVERY_THIRD], reps: 5, seedBase: 1000, budgets: [25, 50, 100, 200], warm: 10, rows: ROWS.filter((r) => r !== 'controller-c200' && !r.startsWith('controller-portfolio')),
    configs: 30, members: 3, epochs: 15, modelDir: 'bench/out/controller', out: 'bench/out/controller-regret.json', from: [],
    finalReserved: false, simReps: 0, simMaxCost: 50, thresholds: [0.05, 0.01], printed: '',
  };
  let tasksGiven = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--final-reserved') { a.finalReserved = true; continue; }
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--tasks') tasksGiven = true;
    if (k === '--tasks') a.tasks = v === 'every3' ? [...EVERY_THIRD] : v === 'rest15' ? [...REST_15] : v === 'all' ? [...META_TASKS] : v.split(',');
    else if (k === '--reps') a.reps = Number(v);
    else if (k === '--seed-base') a.seedBase = Number(v);
    else if (k === '--budgets') a.budgets = v.split(',').map(Number);
    else if (k === '--warm') a.warm = Number(v);
    else if (k === '--rows') a.rows = v.split(',') as Row[];
    else if (k === '--configs') a.configs = Number(v);
    else if (k === '--members') a.members = Number(v);
    else if (k === '--epochs') a.epochs = Number(v);
    else if (k === '--model-dir') a.modelDir = v;
    else if (k === '--out') a.out = v;
    else if (k === '--from') a.from = v.split(',');
    else if (k === '--sim-reps') a.simReps = Number(v);
    else if (k === '--sim-max-cost') a.simMaxCost = Number(v);
    else if (k === '--thresholds') a.thresholds = v.split(',').map(Number);
    else if (k === '--printed') a.printed = v;
    else throw new Error(`Unknown option ${k}`);
  }
  if (a.finalReserved) {
    if (tasksGiven) throw new Error('--final-reserved evaluates all 11 reserved tasks: --tasks cannot be given with it');
    if (a.from.length > 0) throw new Error('--final-reserved runs; --from only reports (the result file records --final-reserved)');
    a.tasks = [...RESERVED_TASKS];
  } else if (a.simReps > 0) throw new Error('--sim-reps is part of --final-reserved (the meta tasks\' scheduler runs: bench/controller-lcbench.ts)');
  a.tasks.forEach((t) => checkTask(a, t));
  for (const r of a.rows) if (!ROWS.includes(r)) throw new Error(`Unknown row ${r}; known: ${ROWS.join(', ')}`);
  // controller-c200 is `controller` with fold models trained on 200 configurations per task (C200-SETTINGS.md): its
  // own name so that it merges beside the stored 30-configuration `controller` row.
  if (a.rows.includes('controller-c200') && a.configs !== 200) throw new Error(`Expected --configs 200 with row controller-c200, got ${a.configs}`);
  if (a.rows.includes('controller-c200') && a.rows.some((r) => r.startsWith('controller') && r !== 'controller-c200')) throw new Error('Expected row controller-c200 without other controller rows (they would use its 200-configuration models)');
  if (a.rows.includes('controller-portfolio-c30') && a.configs !== 30) throw new Error(`Expected --configs 30 with row controller-portfolio-c30 (the fold models' own data), got ${a.configs}`);
  if (!Number.isInteger(a.reps) || a.reps < 1) throw new Error(`Expected --reps to be an integer ≥ 1, got ${a.reps}`);
  if (a.budgets.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`Expected --budgets to be integers ≥ 1, got ${a.budgets.join(',')}`);
  a.budgets.sort((x, y) => x - y);
  return a;
}

/**
 * The fold model of a held-out task: trained on the other 22 tasks (cached; the same file names as controller-lcbench);
 * with --final-reserved, the model trained on all 23 meta tasks.
 */
async function foldModel(
  a: Args, task: string, data: () => Promise<Map<string, Curves>>,
): Promise<{ model: Surrogate; file: string; trainedSeconds: number | null }> {
  const fold = META_TASKS.indexOf(task as (typeof META_TASKS)[number]);
  const seed = 16;
  const file = join(a.modelDir, `${a.finalReserved ? 'all23' : `fold-${fold}of23`}-c${a.configs}-m${a.members}-e${a.epochs}-s${seed}-wasm.json`);
  let model: Surrogate;
  let trainedSeconds: number | null = null;
  if (existsSync(file)) model = new Surrogate(JSON.parse(readFileSync(file, 'utf8')));
  else {
    const d = await data();
    const train = META_TASKS.filter((t) => a.finalReserved || t !== task).flatMap((t) => examplesOf(d.get(t) as Curves));
    const opts: SurrogateTrainOptions = { members: a.members, hidden: [32, 32], epochs: a.epochs, batchSize: 512, learningRate: 3e-3, seed, validationShare: 0, backend: 'wasm' };
    model = await Surrogate.train(lcbenchSpace(), 'maximize', train, opts);
    mkdirSync(a.modelDir, { recursive: true });
    model.save(file);
    trainedSeconds = model.json.training.seconds;
  }
  if (model.json.training.groups.includes(task)) throw new Error(`model ${file} saw the held-out task ${task}`);
  if (a.finalReserved && [...model.json.training.groups].sort().join() !== [...META_TASKS].sort().join()) throw new Error(`model ${file} was not trained on exactly the 23 meta tasks`);
  return { model, file, trainedSeconds };
}

/** Configurations run on every meta task for `controller-portfolio` (PORTFOLIO-SETTINGS.md): one draw for all tasks. */
export const SHARED_CONFIGS = 200;
let sharedCache: Map<string, { configs: Params[]; finals: number[] }> | null = null;

/** The final (epoch 52) validation accuracy of the SHARED_CONFIGS configurations on each meta task (cached). */
async function sharedFinals(dir: string): Promise<Map<string, { configs: Params[]; finals: number[] }>> {
  if (sharedCache) return sharedCache;
  const rng = new Rng(deriveSeed(16, 'portfolio-shared'));
  const space = lcbenchSpace();
  const configs = Array.from({ length: SHARED_CONFIGS }, () => space.sample(rng));
  const m = new Map<string, { configs: Params[]; finals: number[] }>();
  for (const t of META_TASKS) {
    checkMetaTask(t);
    m.set(t, { configs, finals: await (await YahpoLcbench.load(dir, t)).evaluateBatch(configs, LCBENCH_MAX_EPOCH) });
  }
  sharedCache = m;
  return m;
}

/** Greedy portfolio of `size` from the shared configurations on the meta tasks other than `heldOut`. */
async function sharedPortfolio(dir: string, heldOut: string, size: number): Promise<Params[]> {
  const m = await sharedFinals(dir);
  const trials = META_TASKS.filter((t) => t !== heldOut).flatMap((t) => {
    const f = m.get(t) as { configs: Params[]; finals: number[] };
    return f.configs.map((params, i) => ({ params, value: f.finals[i] as number, group: t }));
  });
  return [...portfolioFromTrials(trials, 'maximize', size).params];
}

/** Greedy portfolio of `size` from the fold model's own training data (30 configurations per task, none shared), as `controller train` computes it. */
function c30Portfolio(curves: Map<string, Curves>, heldOut: string, size: number): Params[] {
  const trials = META_TASKS.filter((t) => t !== heldOut).flatMap((t) => examplesOf(curves.get(t) as Curves))
    .map((e) => ({ params: e.params, value: e.final, group: e.group as string }));
  return [...portfolioFromTrials(trials, 'maximize', size).params];
}

/** One sequential run of `budget` full trainings; the regret of the sampler's returned configuration, and of the best observed after each trial. */
async function runFull(
  o: YahpoLcbench, sampler: ControllerSampler | AutoSampler, budget: number, seed: number, value: (p: Params) => Promise<number>,
): Promise<{ returned: number; anytime: number[] }> {
  const trials: TrialRecord[] = [];
  const anytime: number[] = [];
  let best = -Infinity;
  for (let i = 0; i < budget; i++) {
    const r: ReturnType<NonNullable<Sampler["sample"]>> = sampler.sample({ space: o.space, direction: o.direction, trials, rng: new Rng(deriveSeed(seed, i)) });
    if (r === null) break;
    const v = await value(r.params);
    trials.push({ ...makeTrial(i, r.params, v), attrs: r.attrs ?? {} });
    best = Math.max(best, v);
    anytime.push(o.normalizedRegret(best));
  }
  const ret = sampler.returnedConfiguration(trials, o.space, o.direction);
  return { returned: ret ? o.normalizedRegret(await value(ret.params)) : 1, anytime };
}

/** Regret after each whole FTE 1..maxCost from a multi-fidelity run's incumbent events. */
async function anytimeOf(o: YahpoLcbench, events: readonly IncumbentEvent[], maxCost: number, value: (p: Params) => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let c = 1; c <= maxCost; c++) {
    const p = incumbentAt(events, c);
    out.push(p === null ? 1 : o.normalizedRegret(await value(p)));
  }
  return out;
}

const f3 = (x: number): string => (!Number.isFinite(x) ? '–' : Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(1));
const med = (xs: readonly number[]): number => quantile(xs, 0.5);
const cell = (xs: readonly number[]): string => `${f3(med(xs))} (${f3(quantile(xs, 0.25))}…${f3(quantile(xs, 0.75))})`;

/** The least cost t (1-based) at which the median over reps of `curves[rep][t−1]` is ≤ target; Infinity if never. */
export function costToReach(curves: readonly (readonly number[])[], target: number): number {
  const n = Math.min(...curves.map((c) => c.length));
  for (let t = 1; t <= n; t++) if (med(curves.map((c) => c[t - 1] as number)) <= target + 1e-12) return t;
  return Infinity;
}

interface TaskResult {
  task: string; returned: Record<string, number[][]>; anytime: Record<string, number[][]>; seconds: Record<string, number>;
  /** Multi-fidelity rows: per seed, trials started, trials stopped by the scheduler, epochs trained (to the largest budget). */
  mf?: Record<string, { trials: number; pruned: number; epochs: number }[]>;
  /** --final-reserved: the model's calibration on the task's random configurations (by how much curve it saw). */
  calibration?: { none: Scores | null; early: Scores | null; late: Scores | null; all: Scores };
  /** --final-reserved --sim-reps: per scheduler, regret at each of SIM_BUDGETS per seed, and runs whose best configuration it stopped. */
  schedulers?: Record<string, { regrets: number[][]; stoppedBest: number; trials: number; stops: number }>;
}

/** Budgets (FTE) of the scheduler comparison (as bench/controller-lcbench.ts). */
const simBudgets = (maxCost: number): number[] => [10, 25, 50, 100].filter((b) => b <= maxCost);

async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  if (a.from.length > 0) {
    const m = merged(a.from);
    report(m.a, m.results);
    if (a.printed) combinedReport(m.a, m.results, parsePrinted(readFileSync(a.printed, 'utf8')));
    return;
  }
  const dir = benchDataPath('yahpo-lcbench');
  if (!lcbenchAvailable(dir)) throw new Error(`LCBench surrogate files absent at ${dir} (set HZ_BENCH_DATA)`);
  const maxB = a.budgets[a.budgets.length - 1] as number;
  const started = new Date();
  const cmd = `npx tsx bench/controller-regret.ts ${argv.join(' ')}`.trim();
  console.log(a.finalReserved
    ? `# issue 16's final report: controller warm start vs auto on the 11 reserved LCBench tasks, model trained on all 23 meta tasks (${started.toISOString()})`
    : `# controller warm start vs auto vs Optuna TPE + Hyperband, LCBench leave-one-task-out (${started.toISOString()})`);
  console.log(`Command: \`${cmd}\``);
  console.log(`${a.finalReserved ? 'reserved' : 'held-out'} tasks: ${a.tasks.join(', ')}; seeds ${a.seedBase}–${a.seedBase + a.reps - 1}; budgets ${a.budgets.join('/')} FTE; warm ${a.warm}${a.rows.includes('controller-ei') ? ' (controller-ei: the budget)' : ''}; ${a.finalReserved ? 'one model trained on all 23 meta tasks' : 'fold models (each trained on the other 22 meta tasks)'}: ${a.configs} random configurations per task, ${a.members} members [32, 32], ${a.epochs} epochs`);
  // Training curves of every meta task, only if some fold model must be trained.
  let curves: Map<string, Curves> | null = null;
  const data = async (): Promise<Map<string, Curves>> => {
    if (curves) return curves;
    const t0 = performance.now();
    curves = new Map();
    for (const task of META_TASKS) {
      checkMetaTask(task);
      curves.set(task, await taskCurves(await YahpoLcbench.load(dir, task), a.configs, 16));
    }
    console.log(`training curves: ${META_TASKS.length} tasks × ${a.configs} configurations in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return curves;
  };
  let bridge: OptunaBridge | null = null;
  let optunaVersion = 'not run';
  if (a.rows.includes('optuna')) {
    if (spawnSync(pythonPath(), ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0) {
      bridge = OptunaBridge.start();
      optunaVersion = await bridge.version();
    } else {
      console.log(`(Optuna unavailable at ${pythonPath()}: its row is skipped)`);
      a.rows = a.rows.filter((r) => r !== 'optuna');
    }
  }
  console.log(`Optuna ${optunaVersion}; node ${process.version}`);
  const results: TaskResult[] = [];
  const trainSeconds: number[] = [];
  for (const task of a.tasks) {
    checkTask(a, task);
    let model: Surrogate | null = null;
    let modelFile: string | undefined;
    if (a.rows.some((row) => row.startsWith('controller'))) {
      const f = await foldModel(a, task, data);
      model = f.model;
      modelFile = f.file;
      if (f.trainedSeconds !== null) trainSeconds.push(f.trainedSeconds);
    }
    const o = await YahpoLcbench.load(dir, task);
    const finals = new Map<string, Promise<number>>();
    const value = (p: Params): Promise<number> => {
      const k = paramsKey(p);
      let c = finals.get(k);
      if (!c) { c = o.evaluate(p); finals.set(k, c); }
      return c;
    };
    const curveCache = new Map<string, Promise<readonly number[]>>();
    const problem: CurveProblem = {
      space: o.space, direction: o.direction, maxEpoch: LCBENCH_MAX_EPOCH,
      curve: (p) => { const k = paramsKey(p); let c = curveCache.get(k); if (!c) { c = o.curve(p); curveCache.set(k, c); } return c; },
    };
    const r: TaskResult = { task, returned: {}, anytime: {}, seconds: {} };
    if (a.finalReserved && model) {
      const ev = model.evaluate(examplesOf(await taskCurves(o, a.configs, 16)), 16);
      r.calibration = { ...ev.byCurve, all: ev.all };
    }
    for (const row of a.rows) {
      const t0 = performance.now();
      const ret: number[][] = [], any: number[][] = [];
      for (let rep = 0; rep < a.reps; rep++) {
        const seed = a.seedBase + rep;
        if (row === 'optuna') {
          const events = await runOptunaWithPruner(bridge as OptunaBridge, {
            sampler: 'tpe', pruner: { type: 'hyperband', min_resource: 1, max_resource: LCBENCH_MAX_EPOCH, reduction_factor: 3 }, problem, maxCost: maxB, seed,
          });
          const curve = await anytimeOf(o, events, maxB, value);
          any.push(curve);
          ret.push(a.budgets.map((b) => curve[b - 1] as number));
          curveCache.clear();
          continue;
        }
        if (MF_ROWS.includes(row)) {
          // As a user would configure it (the spec), run once to the largest budget; the incumbent at b FTE is the
          // best complete trial once b × 52 epochs (stopped trials' epochs included) are trained.
          const { sampler, scheduler } = specStrategy(row as 'controller+asha' | 'auto+asha', {
            space: o.space, direction: o.direction, maxEpoch: LCBENCH_MAX_EPOCH, modelFile, trials: maxB * LCBENCH_MAX_EPOCH, warm: a.warm,
          });
          const run = await runMultiFidelity(sampler, scheduler, problem, maxB, seed);
          const curve = await anytimeOf(o, run.events, maxB, value);
          any.push(curve);
          ret.push(a.budgets.map((b) => curve[b - 1] as number));
          ((r.mf ??= {})[row] ??= []).push({ trials: run.trials, pruned: run.pruned, epochs: run.epochs });
          continue;
        }
        // controller-ei: the warm phase never ends (warm = the budget), so `auto` never proposes; its returned
        // configuration is then the best observed (the objective is deterministic).
        // Portfolios from the other 22 tasks only (never the held-out one): shared configurations, or the fold model's own.
        const portfolio = row === 'controller-portfolio' ? await sharedPortfolio(dir, task, a.warm)
          : row === 'controller-portfolio-c30' ? c30Portfolio(await data(), task, a.warm)
          : undefined;
        const make = (b: number): ControllerSampler | AutoSampler => (row === 'auto' ? new AutoSampler({ trials: b })
          : portfolio !== undefined ? new ControllerSampler({ model: model as Surrogate, warm: a.warm, trials: b, after: new AutoSampler({ trials: b }), start: 'portfolio', portfolio })
          : row === 'controller-gp' ? new ControllerSampler({ model: model as Surrogate, warm: a.warm, trials: b, priorMean: true })
          : new ControllerSampler({ model: model as Surrogate, warm: row === 'controller-ei' ? b : a.warm, trials: b, after: new AutoSampler({ trials: b }) }));
        const perBudget: number[] = [];
        for (const b of a.budgets) {
          const run = await runFull(o, make(b), b, seed, value);
          perBudget.push(run.returned);
          if (b === maxB) any.push(run.anytime);
        }
        ret.push(perBudget);
      }
      r.returned[row] = ret;
      r.anytime[row] = any;
      r.seconds[row] = (performance.now() - t0) / 1000 / a.reps;
    }
    results.push(r);
    // Saved after every task, so a run cut short by its time box keeps the tasks it finished.
    mkdirSync(join(a.out, '..'), { recursive: true });
    writeFileSync(a.out, JSON.stringify({ args: a, optuna: optunaVersion, started: started.toISOString(), results, complete: false }));
    const line = a.rows.map((row) => `${row} ${a.budgets.map((_, j) => f3(med((r.returned[row] as number[][]).map((x) => x[j] as number)))).join('/')} (${(r.seconds[row] as number).toFixed(1)} s/rep)`);
    console.log(`${task}: median regret @${a.budgets.join('/')}: ${line.join('; ')}${r.calibration ? ` | coverage 80 % ${r.calibration.all.coverage80.toFixed(3)}, 95 % ${r.calibration.all.coverage95.toFixed(3)}` : ''}`);
  }
  await bridge?.close();
  // --final-reserved --sim-reps: the curve-extrapolation scheduler (the all-23 model) against ASHA and Hyperband (and
  // no stopping) on random configurations at equal compute, after every sampler row (so a time box keeps those).
  if (a.finalReserved && a.simReps > 0) {
    const model = (await foldModel(a, a.tasks[0] as string, data)).model;
    const budgets = simBudgets(a.simMaxCost);
    const names = ['none', 'asha', 'hyperband', ...a.thresholds.map((t) => `curve-extrapolation@${t}`)];
    for (const r of results) {
      const o = await YahpoLcbench.load(dir, r.task);
      const draw = configStream(o);
      r.schedulers = {};
      for (const name of names) {
        const regrets: number[][] = [];
        let stoppedBest = 0, trials = 0, stops = 0;
        for (let rep = 0; rep < a.simReps; rep++) {
          const sched: Scheduler | null = name === 'none' ? null
            : name === 'asha' ? ashaScheduler({ minResource: 1, reductionFactor: 3 })
              : name === 'hyperband' ? new HyperbandScheduler({ minResource: 1, maxResource: LCBENCH_MAX_EPOCH, reductionFactor: 3 })
                : new CurveExtrapolationScheduler({ model, threshold: Number(name.split('@')[1]) });
          const run = await runScheduler(o, sched, a.simMaxCost, (i) => draw(5000 + rep, i));
          regrets.push(budgets.map((b) => regretAt(o, run.events, b)));
          if (run.stoppedBest) stoppedBest++;
          trials += run.trials; stops += run.stops;
        }
        r.schedulers[name] = { regrets, stoppedBest, trials, stops };
      }
      writeFileSync(a.out, JSON.stringify({ args: a, optuna: optunaVersion, started: started.toISOString(), results, complete: false }));
      console.log(`${r.task} schedulers, median regret @${budgets.join('/')} FTE: ${names.map((n) => { const x = (r.schedulers as NonNullable<TaskResult['schedulers']>)[n] as { regrets: number[][]; stoppedBest: number }; return `${n} ${budgets.map((_, j) => f3(med(x.regrets.map((y) => y[j] as number)))).join('/')} (best stopped ${x.stoppedBest}/${a.simReps})`; }).join('; ')}`);
    }
  }
  report(a, results);
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  console.log(`\nfold models trained in this run: ${trainSeconds.length}${trainSeconds.length ? `, ${mean(trainSeconds).toFixed(0)} s each (TF.js wasm, one thread)` : ' (all cached)'}; peak memory (max RSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; wall ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
  mkdirSync(join(a.out, '..'), { recursive: true });
  writeFileSync(a.out, JSON.stringify({ args: a, optuna: optunaVersion, started: started.toISOString(), results, complete: true }));
  console.log(`per-rep regrets: ${a.out}`);
}

/** Merges the rows of result files by task (a row's seeds may differ between files: each row keeps its own). */
function merged(files: readonly string[]): { a: Args; results: TaskResult[] } {
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { args: Args; results: TaskResult[] });
  const first = runs[0];
  if (!first) throw new Error('Expected --from to name at least one file');
  const byTask = new Map<string, TaskResult>();
  const rows: Row[] = [];
  for (const run of runs) {
    if (run.args.budgets.join() !== first.args.budgets.join() || run.args.seedBase !== first.args.seedBase) throw new Error('Expected the merged runs to share --budgets and --seed-base (rows are paired by seed)');
    if (Boolean(run.args.finalReserved) !== Boolean(first.args.finalReserved)) throw new Error('Expected the merged runs to be all --final-reserved or none');
    for (const r of run.results) {
      checkTask(run.args, r.task);
      const t = byTask.get(r.task) ?? { task: r.task, returned: {}, anytime: {}, seconds: {} };
      Object.assign(t.returned, r.returned); Object.assign(t.anytime, r.anytime); Object.assign(t.seconds, r.seconds);
      if (r.calibration) t.calibration = r.calibration;
      if (r.schedulers) t.schedulers = r.schedulers;
      if (r.mf) t.mf = { ...t.mf, ...r.mf };
      byTask.set(r.task, t);
    }
    for (const row of run.args.rows) if (!rows.includes(row)) rows.push(row);
    console.log(`${run.args.rows.join(', ')}: tasks ${run.results.map((r) => r.task).join(', ')}, seeds ${run.args.seedBase}–${run.args.seedBase + run.args.reps - 1} (warm ${run.args.warm})`);
  }
  // Every task with the controller and auto rows; a row that some task lacks (a run cut by its time box) is compared
  // on the tasks that have it.
  const results = [...byTask.values()].filter((t) => ['controller', 'auto'].every((row) => !rows.includes(row as Row) || t.returned[row] !== undefined));
  return { a: { ...first.args, rows: ROWS.filter((r) => rows.includes(r)), tasks: results.map((r) => r.task) }, results };
}

/** The tables: regret per row and budget, paired sign tests, per-task wins and compute to reach auto's median. */
function report(a: Args, results: readonly TaskResult[]): void {
  const has = (r: TaskResult, row: Row): boolean => r.returned[row] !== undefined && (r.returned[row] as number[][]).length > 0;
  const on = (row: Row): TaskResult[] => results.filter((r) => has(r, row));
  const reps = (row: Row, rs: readonly TaskResult[] = on(row)): number => Math.min(...rs.map((r) => (r.returned[row] as number[][]).length));
  const at = (r: TaskResult, row: Row, j: number, n = Infinity): number[] => (r.returned[row] as number[][]).slice(0, n).map((x) => x[j] as number);
  console.log(`\n## Median (IQR) normalised regret, held-out tasks × seeds (${a.rows.map((r) => `${r}: ${on(r).length} tasks × ${reps(r)} seeds`).join(', ')})\n`);
  console.log(`| strategy | ${a.budgets.map((b) => `${b} FTE`).join(' | ')} | s/run |`);
  console.log(`|---|${a.budgets.map(() => '---').join('|')}|---|`);
  for (const row of a.rows) {
    const rs = on(row);
    const cells = a.budgets.map((_, j) => cell(rs.flatMap((r) => at(r, row, j))));
    const s = rs.reduce((acc, r) => acc + (r.seconds[row] as number), 0) / rs.length;
    console.log(`| ${ROW_NAMES[row]} | ${cells.join(' | ')} | ${s.toFixed(1)} |`);
  }
  // Paired by (task, seed) on the tasks and seeds both rows ran: each pair of PAIRS, per budget (two-sided exact sign
  // test, ties dropped; Wilcoxon on the per-task medians).
  for (const [mine, other] of PAIRS) {
    if (a.rows.includes(mine) && a.rows.includes(other)) {
      const rs = results.filter((r) => has(r, mine) && has(r, other));
      const n = Math.min(reps(mine, rs), reps(other, rs)); // the same seeds (seed base + rep) in both rows
      const parts = a.budgets.map((b, j) => {
        const t = signTest(rs.flatMap((r) => at(r, mine, j, n)), rs.flatMap((r) => at(r, other, j, n)));
        return `@${b}: lower in ${t.less}, higher in ${t.greater}, tied ${t.ties} (p = ${t.p.toPrecision(2)})`;
      });
      console.log(`${mine} vs ${other}, paired by task and seed (${rs.length} tasks × ${n} seeds): ${parts.join('; ')}`);
      const wins = a.budgets.map((_, j) => rs.filter((r) => med(at(r, mine, j)) < med(at(r, other, j)) - 1e-12).length);
      console.log(`  ${mine}'s median lower than ${other}'s on ${wins.map((w, j) => `${w}/${rs.length} tasks @${a.budgets[j]}`).join(', ')}`);
      // Tasks as the unit (seeds of one task are not independent): Wilcoxon signed-rank on the per-task medians.
      const wx = a.budgets.map((b, j) => {
        const t = wilcoxon(rs.map((r) => med(at(r, mine, j))), rs.map((r) => med(at(r, other, j))));
        return `@${b}: ${t.less} lower, ${t.greater} higher, ${t.zeros} equal, W = ${t.statistic}, p = ${t.p.toPrecision(2)} (${t.method})`;
      });
      console.log(`  Wilcoxon signed-rank on the per-task medians (${rs.length} tasks, two-sided): ${wx.join('; ')}`);
      console.log(`  median over tasks of the per-task median: ${a.budgets.map((b, j) => `@${b} ${f3(med(rs.map((r) => med(at(r, mine, j)))))} vs ${f3(med(rs.map((r) => med(at(r, other, j)))))}`).join(', ')}`);
    }
  }
  // Per task: medians, whether half the compute reaches auto's median, and the FTE each row needs to reach it.
  if (a.rows.includes('controller') && a.rows.includes('auto')) perTaskReport(a, results);
  mfReport(a, results);
  calibrationReport(results);
  schedulerReport(results);
}

/** The per-task table of the controller against auto (and Optuna): medians, half compute, compute to reach auto's median. */
function perTaskReport(a: Args, results: readonly TaskResult[]): void {
  const maxB = a.budgets[a.budgets.length - 1] as number;
  const has = (r: TaskResult, row: Row): boolean => r.returned[row] !== undefined && (r.returned[row] as number[][]).length > 0;
  const at = (r: TaskResult, row: Row, j: number): number[] => (r.returned[row] as number[][]).map((x) => x[j] as number);
  const rows = a.rows.filter((r) => r === 'controller' || r === 'auto' || r === 'optuna');
  const withOptuna = a.rows.includes('optuna');
  console.log(`\n## Per task: median regret (controller / auto${withOptuna ? ' / optuna' : ''}) and compute to reach auto's median\n`);
  console.log(`| task | ${a.budgets.map((b) => `@${b}`).join(' | ')} | half compute (controller @b/2 ≤ auto @b) | FTE to reach auto's anytime median @${a.budgets.join('/')} (controller${withOptuna ? '; optuna' : ''}) |`);
  console.log(`|---|${a.budgets.map(() => '---').join('|')}|---|---|`);
  const halfWins: number[] = a.budgets.map(() => 0);
  const halfCells: number[] = a.budgets.map(() => 0);
  const autoHalf: number[] = a.budgets.map(() => 0); // the same criterion for auto against itself (how flat its curve is)
  for (const r of results) {
    const m = (row: Row, j: number): string => (has(r, row) ? f3(med(at(r, row, j))) : '–');
    const cells = a.budgets.map((_, j) => rows.map((row) => m(row, j)).join(' / '));
    const half: string[] = [];
    a.budgets.forEach((b, j) => {
      const k = a.budgets.indexOf(b / 2);
      if (k < 0) return;
      halfCells[j] = (halfCells[j] as number) + 1;
      const ok = med(at(r, 'controller', k)) <= med(at(r, 'auto', j));
      if (ok) halfWins[j] = (halfWins[j] as number) + 1;
      if (med(at(r, 'auto', k)) <= med(at(r, 'auto', j))) autoHalf[j] = (autoHalf[j] as number) + 1;
      half.push(`@${b}: ${ok ? 'yes' : 'no'}`);
    });
    const show = (c: number): string => (Number.isFinite(c) ? String(c) : `>${maxB}`);
    const reach = a.budgets.map((b) => {
      const target = med((r.anytime['auto'] as number[][]).map((c) => c[b - 1] as number));
      const c = show(costToReach(r.anytime['controller'] as number[][], target));
      return withOptuna ? `${c}; ${has(r, 'optuna') ? show(costToReach(r.anytime['optuna'] as number[][], target)) : '–'}` : c;
    });
    console.log(`| ${r.task} | ${cells.join(' | ')} | ${half.join(', ')} | ${reach.join(' / ')} |`);
  }
  console.log(`\nhalf the compute reaches auto's median regret on ${a.budgets.map((b, j) => (halfCells[j] ? `${halfWins[j]}/${halfCells[j]} tasks @${b}` : '')).filter((x) => x).join(', ')}`);
  console.log(`(auto itself at b/2 reaches its own median at b on ${a.budgets.map((b, j) => (halfCells[j] ? `${autoHalf[j]}/${halfCells[j]} tasks @${b}` : '')).filter((x) => x).join(', ')})`);
  // Issue 16 names two references for the half-compute target: `auto` (above) and TPE with Hyperband (Optuna's).
  if (withOptuna) {
    const mj = (r: TaskResult, row: Row) => (j: number): number => med(at(r, row, j));
    // Also auto against Optuna: how much of the controller's margin is auto's own.
    for (const row of ['controller', 'auto'] as const) {
      const counts = a.budgets.map(() => ({ yes: 0, of: 0 }));
      for (const r of results) {
        if (!has(r, 'optuna') || !has(r, row)) continue;
        halfCompute(a.budgets, mj(r, row), mj(r, 'optuna')).forEach((x, j) => {
          if (x === null) return;
          const n = counts[j] as { yes: number; of: number };
          n.of++;
          if (x) n.yes++;
        });
      }
      console.log(`half the compute (${row} @b/2 ≤ optuna @b) reaches optuna tpe + hyperband's median regret on ${a.budgets.map((b, j) => { const n = counts[j] as { yes: number; of: number }; return n.of ? `${n.yes}/${n.of} tasks @${b}` : ''; }).filter((x) => x).join(', ')} (optuna's median over its own seeds)`);
    }
  }
}

/** Pairs compared by (task, seed) and by per-task medians: the first row against the second. */
const PAIRS: readonly (readonly [Row, Row])[] = [
  ['controller', 'auto'], ['controller', 'optuna'],
  ['controller+asha', 'auto'], ['controller+asha', 'auto+asha'], ['controller+asha', 'controller'], ['auto+asha', 'auto'],
  ['controller-ei', 'auto'], ['controller-ei', 'controller'],
  ['controller-gp', 'auto'], ['controller-gp', 'controller'],
  ['controller-c200', 'auto'], ['controller-c200', 'controller'],
  ['controller-portfolio', 'auto'], ['controller-portfolio', 'controller'],
  ['controller-portfolio-c30', 'auto'], ['controller-portfolio-c30', 'controller'], ['controller-portfolio', 'controller-portfolio-c30'],
];

/**
 * Whether `row` at b/2 FTE reaches `ref`'s median at b, per task (medians over seeds): issue 16's "the same median
 * regret with half the compute". Returns per budget the tasks where it holds and the tasks where it can be judged.
 */
export function halfCompute(budgets: readonly number[], rowMed: (j: number) => number, refMed: (j: number) => number): (boolean | null)[] {
  return budgets.map((b) => {
    const k = budgets.indexOf(b / 2);
    return k < 0 ? null : rowMed(k) <= refMed(budgets.indexOf(b)) + 1e-12;
  });
}

/**
 * The multi-fidelity rows: per task their medians next to auto's and the controller's, the half-compute criterion
 * against auto and against auto + asha, the FTE to reach auto's anytime median, and what the scheduler did.
 */
function mfReport(a: Args, results: readonly TaskResult[]): void {
  const mf = MF_ROWS.filter((r) => a.rows.includes(r));
  const extra = [...mf, ...(['controller-ei', 'controller-gp', 'controller-c200', 'controller-portfolio', 'controller-portfolio-c30'] as const).filter((r) => a.rows.includes(r))];
  if (extra.length === 0) return;
  const maxB = a.budgets[a.budgets.length - 1] as number;
  const has = (r: TaskResult, row: Row): boolean => r.returned[row] !== undefined && (r.returned[row] as number[][]).length > 0;
  const mj = (r: TaskResult, row: Row) => (j: number): number => med((r.returned[row] as number[][]).map((x) => x[j] as number));
  const shown = (['controller+asha', 'auto+asha', 'controller-ei', 'controller-gp', 'controller-c200', 'controller-portfolio', 'controller-portfolio-c30', 'controller', 'auto'] as const).filter((r) => a.rows.includes(r));
  const checks: { label: string; row: Row; ref: Row }[] = ([
    ['controller-ei @b/2 ≤ auto @b', 'controller-ei', 'auto'],
    ['controller-gp @b/2 ≤ auto @b', 'controller-gp', 'auto'],
    ['controller-c200 @b/2 ≤ auto @b', 'controller-c200', 'auto'],
    ['controller-portfolio @b/2 ≤ auto @b', 'controller-portfolio', 'auto'],
    ['controller-portfolio-c30 @b/2 ≤ auto @b', 'controller-portfolio-c30', 'auto'],
    ['controller+asha @b/2 ≤ auto @b', 'controller+asha', 'auto'],
    ['controller+asha @b/2 ≤ auto+asha @b', 'controller+asha', 'auto+asha'],
    ['auto+asha @b/2 ≤ auto @b', 'auto+asha', 'auto'],
    ['controller @b/2 ≤ auto @b', 'controller', 'auto'],
    ['auto @b/2 ≤ auto @b', 'auto', 'auto'],
  ] as const).filter(([, x, y]) => a.rows.includes(x) && a.rows.includes(y)).map(([label, row, ref]) => ({ label, row, ref }));
  const lead = extra[0] as Row; // the row whose compute to reach auto's median is shown
  console.log(`\n## ${mf.length > 0 ? 'Multi-fidelity rows' : 'Extra rows'} per task: median regret (${shown.join(' / ')}) and half compute\n`);
  console.log(`| task | ${a.budgets.map((b) => `@${b}`).join(' | ')} | ${checks.map((c) => c.label).join(' | ')} | FTE for ${lead} to reach auto's anytime median @${a.budgets.join('/')} |`);
  console.log(`|---|${a.budgets.map(() => '---').join('|')}|${checks.map(() => '---').join('|')}|---|`);
  const counts = checks.map(() => a.budgets.map(() => ({ yes: 0, of: 0 })));
  for (const r of results) {
    const cells = a.budgets.map((_, j) => shown.map((row) => (has(r, row) ? f3(mj(r, row)(j)) : '–')).join(' / '));
    const half = checks.map((c, ci) => {
      if (!has(r, c.row) || !has(r, c.ref)) return '–';
      const h = halfCompute(a.budgets, mj(r, c.row), mj(r, c.ref));
      return h.map((x, j) => {
        if (x === null) return '';
        const n = (counts[ci] as { yes: number; of: number }[])[j] as { yes: number; of: number };
        n.of++; if (x) n.yes++;
        return `@${a.budgets[j]} ${x ? 'yes' : 'no'}`;
      }).filter((x) => x).join(', ');
    });
    const show = (c: number): string => (Number.isFinite(c) ? String(c) : `>${maxB}`);
    const reach = has(r, lead) && has(r, 'auto') ? a.budgets.map((b) => show(costToReach(r.anytime[lead] as number[][], med((r.anytime['auto'] as number[][]).map((c) => c[b - 1] as number))))).join(' / ') : '–';
    console.log(`| ${r.task} | ${cells.join(' | ')} | ${half.join(' | ')} | ${reach} |`);
  }
  console.log('');
  checks.forEach((c, ci) => console.log(`${c.label}: ${a.budgets.map((b, j) => { const n = (counts[ci] as { yes: number; of: number }[])[j] as { yes: number; of: number }; return n.of ? `${n.yes}/${n.of} tasks @${b}` : ''; }).filter((x) => x).join(', ')}`));
  for (const row of mf) {
    const runs = results.flatMap((r) => r.mf?.[row] ?? []);
    if (runs.length === 0) continue;
    const mean = (f: (x: { trials: number; pruned: number; epochs: number }) => number): number => runs.reduce((s, x) => s + f(x), 0) / runs.length;
    console.log(`${row}: ${runs.length} runs to ${maxB} FTE; per run ${mean((x) => x.trials).toFixed(0)} trials, ${(100 * mean((x) => x.pruned / x.trials)).toFixed(0)} % stopped early, ${mean((x) => x.epochs / x.trials).toFixed(1)} epochs per trial (${mean((x) => x.epochs).toFixed(0)} epochs)`);
  }
}

/** --final-reserved: the model's calibration on each task (random configurations, as bench/controller-lcbench.ts). */
function calibrationReport(results: readonly TaskResult[]): void {
  const rs = results.filter((r) => r.calibration);
  if (rs.length === 0) return;
  const f = (x: number): string => x.toFixed(3);
  console.log(`\n## Calibration of the model on these tasks (30 random configurations each, 12 curve lengths; mean over ${rs.length} tasks)\n`);
  console.log('| curve seen | coverage 80 % | coverage 95 % | RMSE | RMSE of the baseline | Spearman |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  for (const part of ['none', 'early', 'late', 'all'] as const) {
    const s = rs.map((r) => (r.calibration as NonNullable<TaskResult['calibration']>)[part]).filter((x): x is Scores => x !== null);
    const label = part === 'none' ? 'none (baseline: the targets\' mean)' : part === 'early' ? '≤ 25 % of the budget (baseline: last value)' : part === 'late' ? '> 25 % (baseline: last value)' : 'all rows';
    console.log(`| ${label} | ${f(mean(s.map((x) => x.coverage80)))} | ${f(mean(s.map((x) => x.coverage95)))} | ${mean(s.map((x) => x.rmse)).toFixed(2)} | ${mean(s.map((x) => x.rmseAnchor)).toFixed(2)} | ${f(mean(s.map((x) => x.spearman)))} |`);
  }
  console.log(`per task (all rows, 80 % / 95 %): ${rs.map((r) => { const c = (r.calibration as NonNullable<TaskResult['calibration']>).all; return `${r.task} ${f(c.coverage80)} / ${f(c.coverage95)}`; }).join('; ')}`);
}

/** --final-reserved --sim-reps: regret of each scheduler at equal compute, per-task wins of curve extrapolation, best configuration stopped. */
function schedulerReport(results: readonly TaskResult[]): void {
  const rs = results.filter((r) => r.schedulers);
  if (rs.length === 0) return;
  const names = Object.keys(rs[0]?.schedulers ?? {});
  const first = (rs[0]?.schedulers ?? {})[names[0] as string];
  const reps = first?.regrets.length ?? 0;
  const nb = first?.regrets[0]?.length ?? 0;
  const budgets = [10, 25, 50, 100].slice(0, nb);
  const get = (r: TaskResult, n: string): { regrets: number[][]; stoppedBest: number; trials: number; stops: number } => (r.schedulers as NonNullable<TaskResult['schedulers']>)[n] as { regrets: number[][]; stoppedBest: number; trials: number; stops: number };
  console.log(`\n## Schedulers at equal compute (random configurations, the same per seed for every scheduler; ${rs.length} tasks × ${reps} seeds)\n`);
  console.log(`| scheduler | ${budgets.map((b) => `@${b} FTE`).join(' | ')} | run's best configuration stopped |`);
  console.log(`|---|${budgets.map(() => '---').join('|')}|---:|`);
  for (const n of names) {
    const cells = budgets.map((_, j) => cell(rs.flatMap((r) => get(r, n).regrets.map((x) => x[j] as number))));
    console.log(`| ${n} | ${cells.join(' | ')} | ${rs.reduce((s, r) => s + get(r, n).stoppedBest, 0)} / ${rs.length * reps} |`);
  }
  for (const ce of names.filter((n) => n.startsWith('curve-extrapolation'))) {
    for (const other of ['asha', 'hyperband', 'none']) {
      const parts = budgets.map((b, j) => {
        let win = 0, loss = 0;
        for (const r of rs) {
          const x = med(get(r, ce).regrets.map((y) => y[j] as number)), y = med(get(r, other).regrets.map((z) => z[j] as number));
          if (x < y - 1e-9) win++; else if (x > y + 1e-9) loss++;
        }
        const all = (n: string): number[] => rs.flatMap((r) => get(r, n).regrets.map((y) => y[j] as number));
        const t = signTest(all(ce), all(other));
        const pairs = `pairs ${t.less}–${t.greater}, sign test p = ${t.p.toPrecision(2)}`;
        return `@${b}: ${win} tasks better, ${loss} worse (${pairs})`;
      });
      console.log(`${ce} vs ${other} (median over seeds per task): ${parts.join('; ')}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}

/** What an earlier report printed: per task the median regret of each row at each budget, and the paired sign-test counts. */
export interface Printed {
  budgets: number[];
  /** task → row → median per budget. */
  medians: Map<string, Record<string, number[]>>;
  /** controller vs auto per budget: pairs lower, higher, tied. */
  sign: { less: number; greater: number; ties: number }[];
  pairs: string;
}

/** Parses a report of this bench (its per-task table and the `controller vs auto, paired` line). */
export function parsePrinted(text: string): Printed {
  const head = /\| task \| ((?:@\d+ \| )+)half compute/.exec(text);
  const rowsLine = /## Per task: median regret \(([^)]*)\)/.exec(text);
  if (!head || !rowsLine) throw new Error('Expected a per-task table of bench/controller-regret.ts');
  const budgets = (head[1] as string).split('|').map((x) => x.trim()).filter((x) => x).map((x) => Number(x.slice(1)));
  const rows = (rowsLine[1] as string).split(' / ').map((x) => x.trim());
  const medians = new Map<string, Record<string, number[]>>();
  for (const line of text.split('\n')) {
    const m = /^\| (\d+) \| (.*) \|$/.exec(line);
    if (!m) continue;
    const cells = (m[2] as string).split(' | ').slice(0, budgets.length);
    const rec: Record<string, number[]> = {};
    rows.forEach((row, i) => { rec[row] = cells.map((c) => { const v = (c.split(' / ')[i] ?? '').trim(); return v === '–' ? NaN : Number(v); }); });
    if (Object.values(rec).some((xs) => xs.length !== budgets.length)) throw new Error(`Expected ${budgets.length} budgets in: ${line}`);
    medians.set(m[1] as string, rec);
  }
  const sl = /controller vs auto, paired by task and seed \(([^)]*)\): (.*)/.exec(text);
  if (!sl) throw new Error('Expected the line "controller vs auto, paired by task and seed"');
  const sign = budgets.map((b) => {
    const m = new RegExp(`@${b}: lower in (\\d+), higher in (\\d+), tied (\\d+)`).exec(sl[2] as string);
    if (!m) throw new Error(`Expected sign-test counts at @${b}`);
    return { less: Number(m[1]), greater: Number(m[2]), ties: Number(m[3]) };
  });
  return { budgets, medians, sign, pairs: sl[1] as string };
}

/**
 * Task-level figures over the tasks of this run and of an earlier printed report together (controller vs auto): the
 * median of per-task medians, tasks where the controller is lower, Wilcoxon on the per-task medians, the pooled sign
 * test (counts add), and the half-compute criterion. The printed medians are rounded to 2 significant figures.
 */
function combinedReport(a: Args, results: readonly TaskResult[], p: Printed): void {
  if (p.budgets.join() !== a.budgets.join()) throw new Error(`Expected the printed report's budgets ${p.budgets.join()} to be ${a.budgets.join()}`);
  const medians = new Map(p.medians);
  for (const r of results) {
    if (medians.has(r.task)) throw new Error(`task ${r.task} is in both the printed report and the runs`);
    medians.set(r.task, Object.fromEntries(['controller', 'auto'].map((row) => [row, a.budgets.map((_, j) => med((r.returned[row] as number[][]).map((x) => x[j] as number)))])));
  }
  const tasks = [...medians.keys()];
  const c = (t: string, j: number): number => ((medians.get(t) as Record<string, number[]>)['controller'] as number[])[j] as number;
  const u = (t: string, j: number): number => ((medians.get(t) as Record<string, number[]>)['auto'] as number[])[j] as number;
  console.log(`\n## All ${tasks.length} tasks: ${results.length} from the runs above, ${p.medians.size} from the printed report (${p.pairs}; its medians rounded to 2 significant figures)\n`);
  console.log(`| controller vs auto | ${a.budgets.map((b) => `${b} FTE`).join(' | ')} |`);
  console.log(`|---|${a.budgets.map(() => '---').join('|')}|`);
  const line = (label: string, f: (j: number) => string): void => console.log(`| ${label} | ${a.budgets.map((_, j) => f(j)).join(' | ')} |`);
  line('median over tasks of the per-task median (controller / auto)', (j) => `${f3(med(tasks.map((t) => c(t, j))))} / ${f3(med(tasks.map((t) => u(t, j))))}`);
  line('tasks where the controller\'s median is lower / higher', (j) => `${tasks.filter((t) => c(t, j) < u(t, j) - 1e-12).length} / ${tasks.filter((t) => c(t, j) > u(t, j) + 1e-12).length}`);
  line('Wilcoxon signed-rank on per-task medians, two-sided p', (j) => { const w = wilcoxon(tasks.map((t) => c(t, j)), tasks.map((t) => u(t, j))); return `${w.p.toPrecision(2)} (W = ${w.statistic}, ${w.method})`; });
  line('(task, seed) pairs lower / higher / tied, sign test p', (j) => {
    const rs = results;
    const of = (row: string): number[] => rs.flatMap((r) => (r.returned[row] as number[][]).map((x) => x[j] as number));
    const mine = signTest(of('controller'), of('auto'));
    const old = p.sign[j] as { less: number; greater: number; ties: number };
    const less = mine.less + old.less, greater = mine.greater + old.greater;
    const fill = (x: number, y: number): number[] => [...Array<number>(less).fill(x), ...Array<number>(greater).fill(y)];
    const t = signTest(fill(0, 1), fill(1, 0));
    return `${less} / ${greater} / ${mine.ties + old.ties}, p = ${t.p.toPrecision(2)}`;
  });
  line('half compute: controller @b/2 ≤ auto @b (auto @b/2 ≤ auto @b)', (j) => {
    const k = a.budgets.indexOf((a.budgets[j] as number) / 2);
    if (k < 0) return '–';
    return `${tasks.filter((t) => c(t, k) <= u(t, j)).length}/${tasks.length} (${tasks.filter((t) => u(t, k) <= u(t, j)).length}/${tasks.length})`;
  });
}
