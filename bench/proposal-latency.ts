// Milliseconds per proposal of every sampler the spec accepts, after 1,000 complete trials, on mixed 2-, 5- and
// 10-parameter spaces (int, log-int, float, log-float, categorical), FCNet's 9-parameter grid and a 10-parameter
// conditional space, while a second process keeps one core busy (`node -e 'for(;;){}'`, started and stopped by this
// script; --no-load to measure without it). History: 1,000 random configurations with values of a smooth test
// function plus noise (the cost of a proposal depends on the number of trials, not on how they were found; the study
// grows by one trial per proposal from 1,000), except for samplers that read their own state from attrs (sobol,
// zones-nd, nsga2), which are run for 1,000 trials first. Multi-objective samplers (nsga2, motpe) get two objectives;
// the rung-fitted ones (tpe, gp and auto under a rung-based scheduler: bohb, gp+rungs, auto+rungs) trials with
// intermediate values at steps 1..9 as ASHA (rungs 1, 3, 9, reduction factor 3) leaves them, two in three stopped at
// step 1. Each cell is p50 / p95 / max over --proposals proposals (default 45, each with a new rng, after --warmup
// untimed ones, default 3: JIT compilation of a fresh process), of wall-clock ms and of CPU ms of this process (what a
// proposal costs on a core of its own, whatever else runs); a third table gives, per cell, the number of proposals
// over 50 ms of wall-clock and the slowest one's wall / CPU / garbage-collection pause ms (V8's gc performance
// entries). The grid sampler proposes nothing one at a time: its
// plan() of the whole grid, once per study, is timed instead. The zone strategy (`sampler: zones`) plans whole stages
// (bench/zones-cost.ts) and has no proposal to time.
// Peer, same run and load: Optuna 3.1's ask() (every param sampled, in-memory storage) after the same 1,000 trials
// (bench/proposal_latency_optuna.py; skipped with the reason printed when Optuna is missing, or with --no-optuna).
// Run: npx tsx bench/proposal-latency.ts [--trials 1000] [--proposals 45] [--warmup 3] [--dims 2,5,10,fcnet,cond]
//        [--only gp,tpe] [--no-load] [--no-optuna]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Sampler, SamplerContext } from '../src/samplers/sampler.js';
import { GpSampler } from '../src/samplers/gp.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { SobolSampler } from '../src/samplers/sobol.js';
import { ZonesNdSampler } from '../src/samplers/zones-nd.js';
import { Nsga2Sampler } from '../src/samplers/nsga2.js';
import { MotpeSampler } from '../src/samplers/motpe.js';
import { BohbSampler } from '../src/samplers/bohb.js';
import { gridSampler } from '../src/samplers/grid.js';
import { randomSampler } from '../src/samplers/random.js';
import { Space } from '../src/space/space.js';
import type { Direction, ParamValue, Params, StepReport, TrialRecord } from '../src/core/types.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { makeTrial } from './support/loop.js';
import { encodeSpaceForOptuna } from './support/optuna.js';
import { pythonPath } from './support/python.js';

/** Keeps one core busy; exits once its parent is gone (a bench killed by a time box left it running for an hour). */
const BUSY_LOOP = `const parent = process.ppid; for (let i = 1; ; i++) if (i % 5e7 === 0) { try { process.kill(parent, 0); } catch { process.exit(0); } }`;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A mixed space of `dims` parameters cycling through the five kinds of axis. */
export function mixedSpace(dims: number): Space {
  const kinds = [
    (i: number) => ({ [`units${i}`]: { type: 'int' as const, low: 8, high: 1024, log: true } }),
    (i: number) => ({ [`lr${i}`]: { type: 'float' as const, low: 1e-5, high: 1, log: true } }),
    (i: number) => ({ [`act${i}`]: { type: 'categorical' as const, choices: ['relu', 'tanh', 'elu', 'selu'] } }),
    (i: number) => ({ [`drop${i}`]: { type: 'float' as const, low: 0, high: 0.8 } }),
    (i: number) => ({ [`layers${i}`]: { type: 'int' as const, low: 1, high: 8 } }),
  ];
  let spec = {};
  for (let i = 0; i < dims; i++) spec = { ...spec, ...(kinds[i % kinds.length] as (i: number) => object)(i) };
  return Space.fromSpec(spec);
}

/**
 * FCNet's 9-parameter grid (62,208 configurations; numbers as ordered series, strings as categoricals, as
 * bench/objectives/tabular.ts infers it from the tables): every axis finite, so `auto` passes over repeats.
 */
export function fcnetSpace(): Space {
  const series = (values: number[]) => ({ type: 'series' as const, values });
  const cat = (choices: string[]) => ({ type: 'categorical' as const, choices });
  return Space.fromSpec({
    activation_fn_1: cat(['relu', 'tanh']), activation_fn_2: cat(['relu', 'tanh']), batch_size: series([8, 16, 32, 64]),
    dropout_1: series([0, 0.3, 0.6]), dropout_2: series([0, 0.3, 0.6]), init_lr: series([0.0005, 0.001, 0.005, 0.01, 0.05, 0.1]),
    lr_schedule: cat(['const', 'cosine']), n_units_1: series([16, 32, 64, 128, 256, 512]), n_units_2: series([16, 32, 64, 128, 256, 512]),
  });
}

/**
 * A 10-parameter conditional space: num_layers 1..4 with units_i (log-int) for i ≤ num_layers, lr (log), dropout,
 * model fnn | cnn, filters for cnn, a kernel size for 64 filters (3 to 10 params active).
 */
export function conditionalSpace(): Space {
  const units = { type: 'int' as const, low: 16, high: 1024, log: true };
  return Space.fromSpec({
    num_layers: { type: 'int', low: 1, high: 4 },
    units_1: units,
    units_2: { ...units, when: { parent: 'num_layers', min: 2 } },
    units_3: { ...units, when: { parent: 'num_layers', min: 3 } },
    units_4: { ...units, when: { parent: 'num_layers', min: 4 } },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
    dropout: { type: 'float', low: 0, high: 0.8 },
    model: { type: 'categorical', choices: ['fnn', 'cnn'] },
    filters: { type: 'categorical', choices: [16, 32, 64], when: { parent: 'model', values: ['cnn'] } },
    kernel: { type: 'int', low: 1, high: 7, when: { parent: 'filters', values: [64] } },
  });
}

export function spaceOf(d: string): Space {
  if (d === 'fcnet') return fcnetSpace();
  if (d === 'cond') return conditionalSpace();
  return mixedSpace(Number(d));
}

function label(d: string): string {
  if (d === 'fcnet') return 'FCNet (9, finite)';
  if (d === 'cond') return 'conditional (10)';
  return `${d} params`;
}

/**
 * Smooth values of a configuration (lower is better): squared distance to a fixed point in the unit cube (the second
 * objective: to another point), plus noise. Inactive parameters of a conditional space add nothing.
 */
function objectives(space: Space, p: Params, rng: Rng, count: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    let s = 0;
    space.names.forEach((n, d) => {
      const v = p[n];
      if (v === undefined) return;
      const u = space.get(n).toUnit(v);
      s += (u - (0.3 + 0.4 * ((d * (0.37 + 0.21 * k)) % 1))) ** 2;
    });
    out.push(s + 0.01 * rng.normal());
  }
  return out;
}

export const RUNGS = [1, 3, 9];
export const METRIC = 'loss';

/** A sampler to time, and what its history needs. */
export interface Entry {
  readonly make: (trials: number) => Sampler;
  /** The history is the sampler's own proposals (it reads its state from trial attrs). */
  readonly ownHistory?: boolean;
  /** Objectives of the study (default 1). */
  readonly objectives?: number;
  /** Trials carry intermediate values at the rungs (ASHA-like). */
  readonly rungs?: boolean;
  /** The spec refuses this sampler on conditional spaces. */
  readonly noConditional?: boolean;
  /** Optuna 3.1's counterpart, timed in the same run. */
  readonly optuna?: string;
}

export const SAMPLERS: Record<string, Entry> = {
  random: { make: () => randomSampler(), optuna: 'random' },
  sobol: { make: () => new SobolSampler(), ownHistory: true, optuna: 'qmc' },
  tpe: { make: () => new TpeSampler(), optuna: 'tpe' },
  'tpe-multivariate': { make: () => new TpeSampler({ multivariate: true }), optuna: 'tpe-multivariate' },
  'tpe-multivariate-group': { make: () => new TpeSampler({ multivariate: true, group: true }) },
  gp: { make: () => new GpSampler() },
  'auto (TPE phase)': { make: (n) => new AutoSampler({ switchAt: 10 * n, trials: 10 * n }) },
  'auto (GP phase)': { make: (n) => new AutoSampler({ trials: 10 * n }) },
  // A budget of 1,100: from 1,000 trials on, auto re-evaluates the configurations its GP believes best.
  'auto (confirm phase)': { make: (n) => new AutoSampler({ trials: n + 100 }) },
  'zones-nd': { make: (n) => new ZonesNdSampler({ trials: 2 * n, seed: 1 }), ownHistory: true, noConditional: true },
  nsga2: { make: () => new Nsga2Sampler(), ownHistory: true, objectives: 2, optuna: 'nsga2' },
  motpe: { make: () => new MotpeSampler(), objectives: 2, optuna: 'motpe' },
  'bohb (tpe+rungs)': { make: () => new BohbSampler({ rungSteps: RUNGS, metric: METRIC, tpe: {} }), rungs: true },
  'gp+rungs': { make: () => new BohbSampler({ rungSteps: RUNGS, metric: METRIC, inner: new GpSampler(), minObservations: 10 }), rungs: true },
  'auto+rungs': { make: () => new BohbSampler({ rungSteps: RUNGS, metric: METRIC, inner: new AutoSampler({}), minObservations: 10 }), rungs: true },
};

/** Steps 1..stop with a value that falls towards `final`; two in three trials stop at 1, two in three of the rest at 3. */
function stepsOf(final: number, rng: Rng): { steps: StepReport[]; complete: boolean } {
  const r = rng.next();
  const stop = r < 2 / 3 ? 1 : r < 8 / 9 ? 3 : 9;
  const steps: StepReport[] = [];
  for (let s = 1; s <= stop; s++) steps.push({ step: s, metrics: { [METRIC]: final + 1 / s }, at: 0 });
  return { steps, complete: stop === 9 };
}

function directionsOf(entry: Entry): Direction[] {
  return Array.from({ length: entry.objectives ?? 1 }, () => 'minimize' as const);
}

function contextOf(space: Space, entry: Entry, trials: readonly TrialRecord[], rng: Rng): SamplerContext {
  const directions = directionsOf(entry);
  return { space, direction: 'minimize', ...(directions.length > 1 ? { directions } : {}), trials, rng };
}

/** The study's trials: random configurations (or the sampler's own proposals), with values. */
export function history(space: Space, entry: Entry, sampler: Sampler | null, n: number): TrialRecord[] {
  const rng = new Rng(42);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = sampler?.sample?.(contextOf(space, entry, trials, new Rng(deriveSeed(7, i)))) ?? { params: space.sample(rng) };
    const values = objectives(space, r.params, rng, entry.objectives ?? 1);
    const base = makeTrial(i, r.params, values[0] as number);
    const attrs = 'attrs' in r && r.attrs ? r.attrs : {};
    if (entry.rungs) {
      const { steps, complete } = stepsOf(values[0] as number, rng);
      trials.push(complete ? { ...base, steps, values, attrs } : { ...base, state: 'pruned', value: null, values: null, steps, attrs });
    } else trials.push({ ...base, values, attrs });
  }
  return trials;
}

/** The q-quantile of xs (nearest rank). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
}

/** p50 / p95 / max. */
function summary(xs: number[]): string {
  return `${quantile(xs, 0.5).toFixed(1)} / ${quantile(xs, 0.95).toFixed(1)} / ${Math.max(...xs).toFixed(1)}`;
}

/** Times one sampler on one space: wall and CPU ms of each proposal, and when each began and ended (performance.now). */
export function timeSampler(
  entry: Entry, space: Space, n: number, warmup: number, proposals: number,
): { wall: number[]; cpu: number[]; spans: [number, number][] } {
  const trials = history(space, entry, entry.ownHistory ? entry.make(n) : null, n + warmup + proposals);
  const sampler = entry.make(n);
  const wall: number[] = [];
  const cpu: number[] = [];
  const spans: [number, number][] = [];
  // Untimed proposals first: JIT warm-up and per-space caches.
  for (let i = -warmup; i < proposals; i++) {
    // The study grows by one complete trial per proposal, as in a run (so caches refresh as they would).
    const ctx = contextOf(space, entry, trials.slice(0, n + warmup + i), new Rng(deriveSeed(99, warmup + i)));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    sampler.sample?.(ctx);
    const c = process.cpuUsage(c0);
    if (i >= 0) {
      const t1 = performance.now();
      wall.push(t1 - t0);
      cpu.push((c.user + c.system) / 1000);
      spans.push([t0, t1]);
    }
  }
  return { wall, cpu, spans };
}

/** The grid sampler's one plan() of the whole grid (points per continuous axis: the fewest giving ≥ 1,000 points). */
function timeGrid(space: Space): string {
  // Without conditions the product of the axes' sizes (what gridSize computes); with them an upper bound, checked
  // before gridSize builds the grid.
  const bound = (p: number): number => space.names.reduce((a, n) => a * (space.get(n).values() ?? space.get(n).grid(p)).length, 1);
  let p = 2;
  while (p < 64 && bound(p) < 1000) p++;
  if (bound(p) > 1_000_000) return `– (over ${bound(p).toExponential(1)} points)`;
  const size = space.gridSize(p);
  const sampler = gridSampler({ pointsPerAxis: p, seeds: [0], budget: null });
  const ms: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    sampler.plan?.({ space, direction: 'minimize', trials: [], rng: new Rng(0) });
    ms.push(performance.now() - t0);
  }
  return `${Math.min(...ms.slice(1)).toFixed(1)} (${size} points)`;
}

interface OptunaRequest {
  readonly trials: number;
  readonly warmup: number;
  readonly proposals: number;
  readonly cases: { sampler: string; space: string; directions: number; distributions: unknown; history: { params: Params; values: number[] }[] }[];
}

/** Optuna's ask() on the same spaces and histories, in the same load (null with the reason when Optuna is missing). */
function timeOptuna(req: OptunaRequest): { times: Record<string, number[]> } | { skipped: string } {
  const script = fileURLToPath(new URL('./proposal_latency_optuna.py', import.meta.url));
  const r = spawnSync(pythonPath(), [script], { input: JSON.stringify(req), maxBuffer: 64 << 20, encoding: 'utf8' });
  if (r.error) return { skipped: `${pythonPath()}: ${r.error.message}` };
  if (r.status !== 0) return { skipped: (r.stderr || `exit ${r.status}`).trim().split('\n').slice(-1)[0] ?? '' };
  return { times: JSON.parse(r.stdout) as Record<string, number[]> };
}

/** A history in Optuna's terms (params as the bridge's encoding gives them; categoricals of numbers stay numbers). */
function optunaCase(name: string, entry: Entry, d: string, n: number, extra: number): OptunaRequest['cases'][number] {
  const space = spaceOf(d);
  const encoded = encodeSpaceForOptuna(space, 'ordered');
  // Own-history samplers (sobol, nsga2) run their own history in Optuna too: only the values are passed.
  const trials = history(space, { ...entry, ownHistory: false }, null, n + extra);
  const hist = trials.map((t) => ({ params: t.params as Record<string, ParamValue>, values: [...(t.values ?? [t.value as number])] }));
  return { sampler: entry.optuna as string, space: `${name}|${d}`, directions: entry.objectives ?? 1, distributions: encoded.distributions, history: hist };
}

async function main(): Promise<void> {
  const n = Number(arg('trials') ?? 1000);
  const proposals = Number(arg('proposals') ?? 45);
  const warmup = Number(arg('warmup') ?? 3);
  // A number: a mixed space of that many parameters; `fcnet`: FCNet's 9-parameter grid; `cond`: the conditional space.
  const dims = (arg('dims') ?? '2,5,10,fcnet,cond').split(',');
  const only = arg('only')?.split(',');
  const names = Object.keys(SAMPLERS).filter((k) => !only || only.some((o) => k.startsWith(o)));
  const withGrid = !only || only.includes('grid');
  let load: ChildProcess | null = null;
  if (!process.argv.includes('--no-load')) load = spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' });
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  // Where single proposals over 50 ms come from: their number, and for the slowest its wall, CPU and the garbage
  // collector's pauses in it (V8's gc performance entries; CPU above wall = V8's parallel threads).
  const slowRows: string[][] = [];
  const gcs: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration }); });
  gcObserver.observe({ entryTypes: ['gc'] });
  const optunaRows: string[][] = [];
  let optunaNote = '';
  const loads: number[] = [];
  const os = await import('node:os');
  try {
    loads.push((os.loadavg()[0] as number));
    for (const name of names) {
      const row = [name];
      const cpuRow = [name];
      const slowRow = [name];
      const entry = SAMPLERS[name] as Entry;
      for (const d of dims) {
        if (d === 'cond' && entry.noConditional) {
          row.push('– (refused)');
          cpuRow.push('–');
          slowRow.push('–');
          continue;
        }
        gcs.length = 0;
        const { wall, cpu, spans } = timeSampler(entry, spaceOf(d), n, warmup, proposals);
        // The gc entries of this cell arrive asynchronously.
        await new Promise((r) => setTimeout(r, 20));
        row.push(summary(wall));
        cpuRow.push(summary(cpu));
        const k = wall.indexOf(Math.max(...wall));
        const [a, b] = spans[k] as [number, number];
        const gcMs = gcs.reduce((acc, g) => acc + Math.max(0, Math.min(b, g.end) - Math.max(a, g.start)), 0);
        const slow = `${wall.filter((w) => w > 50).length}; ${(wall[k] as number).toFixed(0)} / ${(cpu[k] as number).toFixed(0)} / ${gcMs.toFixed(0)} (#${k + 1})`;
        slowRow.push(slow);
        process.stderr.write(`  ${name} ${d}: wall ${summary(wall)} ms, CPU ${summary(cpu)} ms (p50 / p95 / max); over 50 ms: ${slow}\n`);
      }
      rows.push(row);
      cpuRows.push(cpuRow);
      slowRows.push(slowRow);
      loads.push((os.loadavg()[0] as number));
    }
    if (withGrid) {
      const row = ['grid (plan() once)'];
      for (const d of dims) row.push(timeGrid(spaceOf(d)));
      rows.push(row);
    }
    if (!process.argv.includes('--no-optuna')) {
      const cases: OptunaRequest['cases'] = [];
      for (const name of names) {
        const entry = SAMPLERS[name] as Entry;
        if (entry.optuna === undefined) continue;
        // Optuna asks for a flat space (conditional spaces are define-by-run there).
        for (const d of dims) if (d !== 'cond') cases.push(optunaCase(name, entry, d, n, warmup + proposals));
      }
      if (cases.length > 0) {
        const res = timeOptuna({ trials: n, warmup, proposals, cases });
        if ('skipped' in res) {
          optunaNote = `Optuna rows skipped: ${res.skipped}`;
          process.stderr.write(`${optunaNote}\n`);
        } else {
          for (const name of names) {
            const entry = SAMPLERS[name] as Entry;
            if (entry.optuna === undefined) continue;
            optunaRows.push([`Optuna 3.1 ${entry.optuna}`, ...dims.map((d) => {
              const t = res.times[`${name}|${d}`];
              return t ? summary(t) : '–';
            })]);
          }
        }
      }
      loads.push((os.loadavg()[0] as number));
    }
  } finally {
    load?.kill();
    gcObserver.disconnect();
  }
  const head = `ms per proposal after ${n} complete trials (${proposals} proposals after ${warmup} untimed, the study growing by one trial per proposal), ${load ? 'a second process busy' : 'no load'}, p50 / p95 / max`;
  const table = (what: string, body: string[][]): void => {
    console.log(`${head}, ${what}:`);
    console.log(`| sampler | ${dims.map(label).join(' | ')} |`);
    console.log(`|---|${dims.map(() => '---:').join('|')}|`);
    for (const r of body) console.log(`| ${r.join(' | ')} |`);
    console.log('');
  };
  table('wall-clock', [...rows, ...optunaRows]);
  table('CPU of the proposing process', cpuRows);
  table('proposals over 50 ms wall-clock; the slowest: wall / CPU / GC pauses ms (its position among the timed ones)', slowRows);
  if (optunaNote) console.log(optunaNote);
  console.log(`load average (1 min) during the run: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (${os.cpus().length} cores)`);
}

if (process.argv[1]?.endsWith('proposal-latency.ts')) await main();
