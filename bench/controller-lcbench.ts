// The learned controller (issue 16) on the LCBench surrogate, leave-one-task-out on the 23 meta-training tasks:
// for each held-out task, a surrogate (deep ensemble) is trained on curves of the other 22 tasks, then checked on
// the held-out task (calibration of its 80 % / 95 % intervals, error against "final = last value seen"), and its
// curve-extrapolation scheduler runs against ASHA and Hyperband (and no early stopping) with the same random
// configurations at equal compute (full-training equivalents, FTE = epochs / 52).
// The 11 tasks the issue reserves for the final evaluation are never loaded here (the bench refuses them; only
// bench/controller-regret.ts --final-reserved loads them, once).
// Usage: nice -n 10 npx tsx bench/controller-lcbench.ts [--configs 30] [--reps 5] [--max-cost 100] [--tasks a,b]
//        [--members 5] [--epochs 25] [--threshold 0.05] [--out bench/out/controller] [--final-model FILE] [--backend wasm|cpu]
//        [--folds 23] (tasks grouped by index mod N; 23 = leave-one-task-out) [--sim-tasks a,b] (scheduler runs only there)
//        [--schedulers none,asha,hyperband,curve-extrapolation] (default all)
import { mkdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { YahpoLcbench, lcbenchAvailable, lcbenchSpace, LCBENCH_MAX_EPOCH } from './objectives/yahpo-lcbench.js';
import { benchDataPath } from './support/data-dir.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import type { Params } from '../src/core/types.js';
import { Surrogate, type SurrogateTrainOptions } from '../src/controller/surrogate.js';
import type { Example } from '../src/controller/features.js';
import type { Scores } from '../src/controller/evaluate.js';
import { CurveExtrapolationScheduler } from '../src/schedulers/curve-extrapolation.js';
import { ashaScheduler } from '../src/schedulers/successive-halving.js';
import { HyperbandScheduler } from '../src/schedulers/hyperband.js';
import type { Scheduler } from '../src/schedulers/scheduler.js';
import { SimulatedStudy } from '../src/schedulers/simulate.js';
import { quantile } from '../src/stats/intervals.js';

/** The 23 LCBench tasks issue 16 allows for meta-training and leave-one-task-out evaluation. */
export const META_TASKS = [
  '126026', '126029', '167149', '167152', '167161', '167168', '167181', '167184', '167185', '167200', '167201', '168329',
  '168331', '168335', '168908', '168910', '189862', '189865', '189866', '189873', '189905', '189906', '189908',
] as const;
/** Reserved by issue 16 for one final evaluation: never loaded by this bench. */
export const RESERVED_TASKS = ['3945', '7593', '34539', '126025', '146212', '167104', '167190', '168330', '168868', '189354', '189909'] as const;

/** Refuses any task outside the 23 meta-training tasks (the reserved ones by name). */
export function checkMetaTask(task: string): void {
  if ((RESERVED_TASKS as readonly string[]).includes(task)) throw new Error(`Task ${task} is reserved for issue 16's final evaluation: this bench never loads it`);
  if (!(META_TASKS as readonly string[]).includes(task)) throw new Error(`Task ${task} is not one of the 23 meta-training tasks`);
}

/**
 * The one way to load a reserved task: bench/controller-regret.ts `--final-reserved` (issue 16's one final report,
 * settings in docs/controller-2026-12-02/RESERVED-SETTINGS.md). Refuses everything else, the meta tasks included
 * (the final model was trained on them).
 */
export function checkReservedTask(task: string): void {
  if (!(RESERVED_TASKS as readonly string[]).includes(task)) throw new Error(`Task ${task} is not one of the 11 reserved tasks (--final-reserved evaluates only those)`);
}

/** Per seed, a stream of random configurations with their 52-epoch curves (computed in chunks of 250), the same for every scheduler. */
export function configStream(o: YahpoLcbench): (seed: number, i: number) => Promise<{ params: Params; curve: number[] }> {
  const streams = new Map<number, { params: Params; curve: number[] }[]>();
  return async (seed, i) => {
    let st = streams.get(seed);
    if (!st) streams.set(seed, (st = []));
    const have = st;
    if (i >= have.length) {
      const ps = Array.from({ length: 250 }, (_, k) => o.space.sample(new Rng(deriveSeed(seed, have.length + k))));
      const curves = await fullCurves(o, ps);
      ps.forEach((c, k) => have.push({ params: c, curve: curves[k] as number[] }));
    }
    return have[i] as { params: Params; curve: number[] };
  };
}

export interface Curves { task: string; configs: Params[]; curves: number[][] }

/** The 52-epoch curves of configurations, in one surrogate call. */
export async function fullCurves(o: YahpoLcbench, configs: readonly Params[]): Promise<number[][]> {
  const E = LCBENCH_MAX_EPOCH;
  const epochs = configs.flatMap(() => Array.from({ length: E }, (_, e) => e + 1));
  const flat = await o.evaluateBatch(configs.flatMap((c) => Array.from({ length: E }, () => c)), epochs);
  return configs.map((_, i) => flat.slice(i * E, (i + 1) * E));
}

/** `n` random configurations of a task (seeded by the task) with their full 52-epoch curves. */
export async function taskCurves(o: YahpoLcbench, n: number, seed: number): Promise<Curves> {
  const rng = new Rng(deriveSeed(seed, 'configs', o.task));
  const configs = Array.from({ length: n }, () => o.space.sample(rng));
  return { task: o.task, configs, curves: await fullCurves(o, configs) };
}

export const examplesOf = (c: Curves): Example[] => c.configs.map((p, i) => {
  const curve = c.curves[i] as number[];
  return { params: p, curve, budget: LCBENCH_MAX_EPOCH, final: curve[LCBENCH_MAX_EPOCH - 1] as number, group: c.task };
});

/** One run of random configurations under a scheduler until `maxCost` FTE; the same configurations for every scheduler of a seed. */
export async function runScheduler(
  o: YahpoLcbench, scheduler: Scheduler | null, maxCost: number, draw: (i: number) => Promise<{ params: Params; curve: number[] }>,
): Promise<{ events: { cost: number; final: number }[]; stoppedBest: boolean; trials: number; stops: number }> {
  const sim = new SimulatedStudy(scheduler ?? undefined, 'maximize');
  const events: { cost: number; final: number }[] = [];
  let best: number | null = null;
  const sampled: { final: number; stopped: boolean }[] = [];
  for (let i = 0; sim.epochsUsed < maxCost * LCBENCH_MAX_EPOCH; i++) {
    const { params: p, curve } = await draw(i);
    const r = await sim.run(p, (s) => curve[s - 1] as number, LCBENCH_MAX_EPOCH);
    const final = curve[LCBENCH_MAX_EPOCH - 1] as number;
    sampled.push({ final, stopped: r.stopped });
    if (!r.stopped && (best === null || final > best)) best = final;
    if (best !== null) events.push({ cost: sim.epochsUsed / LCBENCH_MAX_EPOCH, final: best });
  }
  const top = sampled.reduce((a, b) => (b.final > a.final ? b : a));
  return { events, stoppedBest: top.stopped, trials: sampled.length, stops: sampled.filter((s) => s.stopped).length };
}

export const regretAt = (o: YahpoLcbench, events: readonly { cost: number; final: number }[], budget: number): number => {
  let v: number | null = null;
  for (const e of events) { if (e.cost > budget + 1e-9) break; v = e.final; }
  return v === null ? 1 : o.normalizedRegret(v);
};
const f3 = (x: number): string => x.toFixed(3);
const med = (xs: readonly number[]): string => `${f3(quantile(xs, 0.5))} (${f3(quantile(xs, 0.25))}…${f3(quantile(xs, 0.75))})`;

async function main(argv: string[]): Promise<void> {
  const a = { configs: 30, reps: 5, maxCost: 100, tasks: [...META_TASKS] as string[], members: 5, epochs: 25, threshold: 0.05, out: 'bench/out/controller', finalModel: '', seed: 16, backend: 'wasm', folds: 23, simTasks: [] as string[], schedulers: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`Expected a value after ${k}`);
    if (k === '--configs') a.configs = Number(v);
    else if (k === '--reps') a.reps = Number(v);
    else if (k === '--max-cost') a.maxCost = Number(v);
    else if (k === '--tasks') a.tasks = v.split(',');
    else if (k === '--members') a.members = Number(v);
    else if (k === '--epochs') a.epochs = Number(v);
    else if (k === '--threshold') a.threshold = Number(v);
    else if (k === '--out') a.out = v;
    else if (k === '--final-model') a.finalModel = v;
    else if (k === '--backend') a.backend = v;
    else if (k === '--folds') a.folds = Number(v);
    else if (k === '--sim-tasks') a.simTasks = v.split(',');
    else if (k === '--schedulers') a.schedulers = v.split(',');
    else throw new Error(`Unknown option ${k}`);
  }
  a.tasks.forEach(checkMetaTask);
  const dir = benchDataPath('yahpo-lcbench');
  if (!lcbenchAvailable(dir)) throw new Error(`LCBench surrogate files absent at ${dir}`);
  mkdirSync(a.out, { recursive: true });
  const trainOpts: SurrogateTrainOptions = {
    members: a.members, hidden: [32, 32], epochs: a.epochs, batchSize: 512, learningRate: 3e-3, seed: a.seed, validationShare: 0, backend: a.backend,
  };
  console.log(`controller-lcbench: ${a.configs} configurations × 52 epochs per task, ${a.members} members [32, 32], ${a.epochs} epochs; schedulers on ${a.reps} seeds × ${a.maxCost} FTE; threshold ${a.threshold}`);
  // Curves of every meta task (all 23 are needed to train each fold).
  const t0 = performance.now();
  const problems = new Map<string, YahpoLcbench>();
  const data = new Map<string, Curves>();
  for (const task of META_TASKS) {
    checkMetaTask(task);
    const o = await YahpoLcbench.load(dir, task);
    problems.set(task, o);
    data.set(task, await taskCurves(o, a.configs, a.seed));
  }
  console.log(`curves: ${META_TASKS.length} tasks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (a.finalModel) {
    const all = META_TASKS.flatMap((t) => examplesOf(data.get(t) as Curves));
    const m = await Surrogate.train(lcbenchSpace(), 'maximize', all, { ...trainOpts, validationShare: 0.2 });
    m.save(a.finalModel);
    const v = m.json.training.validation;
    console.log(`final model (all 23 tasks, 20 % of configurations held out): ${m.json.training.rows} rows, ${m.json.training.seconds.toFixed(0)} s → ${a.finalModel}; held-out coverage 80 % ${v ? f3(v.all.coverage80) : '-'}, 95 % ${v ? f3(v.all.coverage95) : '-'}`);
  }
  const budgets = [10, 25, 50, 100].filter((b) => b <= a.maxCost);
  const allNames = ['none', 'asha', 'hyperband', 'curve-extrapolation'] as const;
  const names = allNames.filter((n) => a.schedulers.length === 0 || a.schedulers.includes(n));
  const regrets = new Map<string, number[]>(); // `${name}@${budget}` → per (task, rep)
  const stoppedBest = new Map<string, number>();
  const calib: { task: string; none: Scores | null; early: Scores | null; late: Scores | null; all: Scores }[] = [];
  const results: unknown[] = [];
  const simulated: string[] = [];
  let trainSeconds = 0, rows = 0, trained = 0;
  for (const task of a.tasks) {
    const o = problems.get(task) as YahpoLcbench;
    // Fold of a task: its index in META_TASKS mod --folds (23: leave-one-task-out). A fold's model never sees its tasks.
    const fold = META_TASKS.indexOf(task as (typeof META_TASKS)[number]) % a.folds;
    const held = META_TASKS.filter((_, i) => i % a.folds === fold);
    const file = join(a.out, `fold-${fold}of${a.folds}-c${a.configs}-m${a.members}-e${a.epochs}-s${a.seed}-${a.backend}.json`);
    let model: Surrogate;
    if (existsSync(file)) model = new Surrogate(JSON.parse(readFileSync(file, 'utf8')));
    else {
      const train = META_TASKS.filter((t) => !held.includes(t)).flatMap((t) => examplesOf(data.get(t) as Curves));
      model = await Surrogate.train(lcbenchSpace(), 'maximize', train, trainOpts);
      model.save(file);
      trainSeconds += model.json.training.seconds;
      trained++;
    }
    rows = model.json.training.rows;
    if (held.some((t) => model.json.training.groups.includes(t))) throw new Error(`model ${file} saw a task of its fold (${held.join(', ')})`);
    const ev = model.evaluate(examplesOf(data.get(task) as Curves), a.seed);
    calib.push({ task, ...ev.byCurve, all: ev.all });
    // Every seed draws the same configurations for every scheduler: their curves are computed in chunks of 250.
    const draw = configStream(o);
    const line: string[] = [];
    const simulate = a.simTasks.length === 0 || a.simTasks.includes(task);
    for (const name of simulate ? names : []) {
      const rs: number[][] = budgets.map(() => []);
      let sb = 0, trials = 0, stops = 0;
      for (let rep = 0; rep < a.reps; rep++) {
        const sched: Scheduler | null = name === 'none' ? null
          : name === 'asha' ? ashaScheduler({ minResource: 1, reductionFactor: 3 })
            : name === 'hyperband' ? new HyperbandScheduler({ minResource: 1, maxResource: LCBENCH_MAX_EPOCH, reductionFactor: 3 })
              : new CurveExtrapolationScheduler({ model, threshold: a.threshold });
        const r = await runScheduler(o, sched, a.maxCost, (i) => draw(5000 + rep, i));
        budgets.forEach((b, j) => rs[j]?.push(regretAt(o, r.events, b)));
        if (r.stoppedBest) sb++;
        trials += r.trials; stops += r.stops;
      }
      budgets.forEach((b, j) => {
        const key = `${name}@${b}`;
        regrets.set(key, [...(regrets.get(key) ?? []), ...(rs[j] as number[])]);
      });
      stoppedBest.set(name, (stoppedBest.get(name) ?? 0) + sb);
      line.push(`${name} ${budgets.map((_, j) => f3(quantile(rs[j] as number[], 0.5))).join('/')} (${(trials / a.reps).toFixed(0)} trials, best stopped ${sb}/${a.reps})`);
      results.push({ task, scheduler: name, budgets, regrets: rs, stoppedBest: sb, trials, stops });
    }
    if (simulate) simulated.push(task);
    console.log(`${task} (fold ${fold + 1}/${a.folds}): coverage80 ${f3(ev.all.coverage80)} coverage95 ${f3(ev.all.coverage95)} rmse ${ev.all.rmse.toFixed(2)} (last value ${ev.all.rmseAnchor.toFixed(2)}) | median regret @${budgets.join('/')} FTE: ${line.join('; ')}`);
  }
  console.log(`\ntraining: ${a.folds} folds by task (${a.folds === 23 ? 'leave-one-task-out' : 'each model trained on the tasks outside its fold'}), ${rows} rows in the last fold (${a.configs} configurations per task × 12 curve lengths), ${trained ? (trainSeconds / trained).toFixed(0) : '-'} s per fold trained in this run (TF.js ${a.backend} backend, one thread)`);
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  for (const part of ['none', 'early', 'late', 'all'] as const) {
    const s = calib.map((c) => c[part]).filter((x): x is Scores => x !== null);
    console.log(`calibration (${part === 'none' ? 'no curve' : part === 'early' ? 'curve ≤ 25 % of budget' : part === 'late' ? 'curve > 25 %' : 'all rows'}): coverage 80 % ${f3(mean(s.map((x) => x.coverage80)))}, 95 % ${f3(mean(s.map((x) => x.coverage95)))}, rmse ${mean(s.map((x) => x.rmse)).toFixed(2)} vs last value ${mean(s.map((x) => x.rmseAnchor)).toFixed(2)}, spearman ${f3(mean(s.map((x) => x.spearman)))} (mean over ${s.length} held-out tasks)`);
  }
  if (simulated.length === 0) names.length = 0; // calibration only (--sim-tasks none): no regret table
  if (names.length) console.log(`\nnormalised regret, median (IQR) over ${simulated.length} tasks × ${a.reps} seeds (random configurations), at equal compute (FTE):`);
  if (names.length) console.log(`${'scheduler'.padEnd(20)} ${budgets.map((b) => `@${b}`.padEnd(22)).join(' ')} best config stopped`);
  for (const name of names) console.log(`${name.padEnd(20)} ${budgets.map((b) => med(regrets.get(`${name}@${b}`) as number[]).padEnd(22)).join(' ')} ${stoppedBest.get(name)}/${simulated.length * a.reps}`);
  // Per task: does curve-extrapolation beat each rung rule (median over seeds), at each budget?
  for (const other of (['asha', 'hyperband', 'none'] as const).filter((n) => names.includes(n) && names.includes('curve-extrapolation'))) {
    const cells = budgets.map((b, j) => {
      let win = 0, loss = 0;
      for (const task of simulated) {
        const ce = results.find((r) => (r as { task: string }).task === task && (r as { scheduler: string }).scheduler === 'curve-extrapolation') as { regrets: number[][] };
        const ot = results.find((r) => (r as { task: string }).task === task && (r as { scheduler: string }).scheduler === other) as { regrets: number[][] };
        const x = quantile(ce.regrets[j] as number[], 0.5), y = quantile(ot.regrets[j] as number[], 0.5);
        if (x < y - 1e-9) win++; else if (x > y + 1e-9) loss++;
      }
      return `@${b}: ${win} better, ${loss} worse`;
    });
    console.log(`curve-extrapolation vs ${other} (tasks, median over seeds): ${cells.join('; ')}`);
  }
  console.log(`peak memory (max RSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB, wall ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  writeFileSync(join(a.out, 'results.json'), JSON.stringify({ args: a, calib, results }, null, 1));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
