// Milliseconds per proposal of every sampler after 1,000 complete trials, on mixed 2-, 5- and 10-parameter spaces
// (int, log-int, float, log-float, categorical), while a second process keeps one core busy (`node -e 'for(;;){}'`,
// started and stopped by this script; --no-load to measure without it). History: 1,000 random configurations with
// values of a smooth test function plus noise (the cost of a proposal depends on the number of trials, not on how
// they were found; the study grows by one trial per proposal from 1,000), except for samplers that read their own state from attrs (sobol, zones-nd),
// which are run
// for 1,000 trials first. Each figure is the median of --proposals proposals (default 15), each with a new rng:
// wall-clock ms, and CPU ms of this process (what a proposal costs on a core of its own, whatever else runs).
// Run: npx tsx bench/proposal-latency.ts [--trials 1000] [--proposals 15] [--dims 2,5,10] [--only gp,tpe] [--no-load]
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

async function main(): Promise<void> {
  const n = Number(arg('trials') ?? 1000);
  const proposals = Number(arg('proposals') ?? 15);
  const dims = (arg('dims') ?? '2,5,10').split(',').map(Number);
  const only = arg('only')?.split(',');
  const names = Object.keys(SAMPLERS).filter((k) => !only || only.some((o) => k.startsWith(o)));
  let load: ChildProcess | null = null;
  if (!process.argv.includes('--no-load')) load = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
  const rows: string[][] = [];
  try {
    for (const name of names) {
      const row = [name];
      for (const d of dims) {
        const space = mixedSpace(d);
        const entry = SAMPLERS[name] as (typeof SAMPLERS)[string];
        const trials = history(space, entry.ownHistory ? entry.make(n) : null, n + proposals + 1);
        const sampler = entry.make(n);
        const times: number[] = [];
        const cpu: number[] = [];
        // One untimed proposal first: JIT warm-up and per-space caches.
        for (let i = -1; i < proposals; i++) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          // The study grows by one complete trial per proposal, as in a run (so caches refresh as they would).
          sampler.sample?.({ space, direction: 'minimize', trials: trials.slice(0, n + i + 1), rng: new Rng(deriveSeed(99, i + 1)) });
          const c = process.cpuUsage(c0);
          if (i >= 0) {
            times.push(performance.now() - t0);
            cpu.push((c.user + c.system) / 1000);
          }
        }
        row.push(`${median(times).toFixed(1)} / ${median(cpu).toFixed(1)} (${Math.max(...cpu).toFixed(1)})`);
        process.stderr.write(`  ${name} ${d}-d: ${median(times).toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU, max ${Math.max(...cpu).toFixed(1)}\n`);
      }
      rows.push(row);
    }
  } finally {
    load?.kill();
  }
  console.log(`ms per proposal after ${n} complete trials (median of ${proposals}, the study growing by one trial per proposal; wall / CPU of this process (slowest CPU)), ${load ? 'a second process busy' : 'no load'}:`);
  console.log(`| sampler | ${dims.map((d) => `${d} params`).join(' | ')} |`);
  console.log(`|---|${dims.map(() => '---:').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

if (process.argv[1]?.endsWith("proposal-latency.ts")) await main();
