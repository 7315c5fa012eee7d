// Milliseconds per proposal of every sampler after 1,000 complete trials, on mixed 2-, 5- and 10-parameter spaces
// (int, log-int, float, log-float, categorical), while a second process keeps one core busy (`node -e 'for(;;){}'`,
// started and stopped by this script; --no-load to measure without it). History: 1,000 random configurations with
// values of a smooth test function plus noise (the cost of a proposal depends on the number of trials, not on how
// they were found; the study grows by one trial per proposal from 1,000), except for samplers that read their own state from attrs (sobol, zones-nd),
// which are run
// for 1,000 trials first. Each cell is p50 / p95 / max over --proposals proposals (default 45, each with a new rng,
// after --warmup untimed ones, default 3: JIT compilation of a fresh process), of wall-clock ms and of CPU ms of this
// process (what a proposal costs on a core of its own, whatever else runs).
// Run: npx tsx bench/proposal-latency.ts [--trials 1000] [--proposals 45] [--warmup 3] [--dims 2,5,10,fcnet] [--only gp,tpe] [--no-load]
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sampler } from '../src/samplers/sampler.js';
import { GpSampler } from '../src/samplers/gp.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { SobolSampler } from '../src/samplers/sobol.js';
import { ZonesNdSampler } from '../src/samplers/zones-nd.js';
import { randomSampler } from '../src/samplers/random.js';
import { Space } from '../src/space/space.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { makeTrial } from './support/loop.js';

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

/** A smooth value of a configuration (lower is better): distance to a fixed point in the unit cube, plus noise. */
function objective(space: Space, p: Params, rng: Rng): number {
  let s = 0;
  space.names.forEach((n, d) => {
    const u = space.get(n).toUnit(p[n] as never);
    s += (u - (0.3 + 0.4 * ((d * 0.37) % 1))) ** 2;
  });
  return s + 0.01 * rng.normal();
}

const SAMPLERS: Record<string, { make: (trials: number) => Sampler; ownHistory?: boolean }> = {
  random: { make: () => randomSampler() },
  sobol: { make: () => new SobolSampler(), ownHistory: true },
  tpe: { make: () => new TpeSampler() },
  'tpe-multivariate': { make: () => new TpeSampler({ multivariate: true }) },
  gp: { make: () => new GpSampler() },
  'auto (TPE phase)': { make: (n) => new AutoSampler({ switchAt: 10 * n, trials: 10 * n }) },
  'auto (GP phase)': { make: (n) => new AutoSampler({ trials: 10 * n }) },
  'zones-nd': { make: (n) => new ZonesNdSampler({ trials: 2 * n, seed: 1 }), ownHistory: true },
};

function history(space: Space, sampler: Sampler | null, n: number): TrialRecord[] {
  const rng = new Rng(42);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = sampler?.sample?.({ space, direction: 'minimize', trials, rng: new Rng(deriveSeed(7, i)) }) ?? { params: space.sample(rng) };
    trials.push({ ...makeTrial(i, r.params, objective(space, r.params, rng)), attrs: 'attrs' in r && r.attrs ? r.attrs : {} });
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

async function main(): Promise<void> {
  const n = Number(arg('trials') ?? 1000);
  const proposals = Number(arg('proposals') ?? 45);
  const warmup = Number(arg('warmup') ?? 3);
  // A number: a mixed space of that many parameters; `fcnet`: FCNet's 9-parameter grid.
  const dims = (arg('dims') ?? '2,5,10,fcnet').split(',');
  const only = arg('only')?.split(',');
  const names = Object.keys(SAMPLERS).filter((k) => !only || only.some((o) => k.startsWith(o)));
  let load: ChildProcess | null = null;
  if (!process.argv.includes('--no-load')) load = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  const rows: string[][] = [];
  const cpuRows: string[][] = [];
  try {
    for (const name of names) {
      const row = [name];
      const cpuRow = [name];
      for (const d of dims) {
        const space = d === 'fcnet' ? fcnetSpace() : mixedSpace(Number(d));
        const entry = SAMPLERS[name] as (typeof SAMPLERS)[string];
        const trials = history(space, entry.ownHistory ? entry.make(n) : null, n + warmup + proposals);
        const sampler = entry.make(n);
        const times: number[] = [];
        const cpu: number[] = [];
        // Untimed proposals first: JIT warm-up and per-space caches.
        for (let i = -warmup; i < proposals; i++) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          // The study grows by one complete trial per proposal, as in a run (so caches refresh as they would).
          sampler.sample?.({ space, direction: 'minimize', trials: trials.slice(0, n + warmup + i), rng: new Rng(deriveSeed(99, warmup + i)) });
          const c = process.cpuUsage(c0);
          if (i >= 0) {
            times.push(performance.now() - t0);
            cpu.push((c.user + c.system) / 1000);
          }
        }
        row.push(summary(times));
        cpuRow.push(summary(cpu));
        process.stderr.write(`  ${name} ${d}-d: wall ${summary(times)} ms, CPU ${summary(cpu)} ms (p50 / p95 / max)\n`);
      }
      rows.push(row);
      cpuRows.push(cpuRow);
    }
  } finally {
    load?.kill();
  }
  const head = `ms per proposal after ${n} complete trials (${proposals} proposals after ${warmup} untimed, the study growing by one trial per proposal), ${load ? 'a second process busy' : 'no load'}, p50 / p95 / max`;
  for (const [what, table] of [['wall-clock', rows], ['CPU of the proposing process', cpuRows]] as const) {
    console.log(`${head}, ${what}:`);
    console.log(`| sampler | ${dims.map((d) => (d === 'fcnet' ? 'FCNet (9, finite)' : `${d} params`)).join(' | ')} |`);
    console.log(`|---|${dims.map(() => '---:').join('|')}|`);
    for (const r of table) console.log(`| ${r.join(' | ')} |`);
    console.log('');
  }
}

if (process.argv[1]?.endsWith("proposal-latency.ts")) await main();
