// Two versions of a sampler, proposal by proposal in one process, on bench/proposal-latency.ts's spaces and histories
// (1,000 trials, the study growing by one trial per proposal): each proposal is made by both in turn, so both see the
// same load and the same JIT state. Prints CPU and wall ms (p50 / p95 / max after --warmup untimed proposals) and how
// many proposals differ. The other version is another file of the sampler (--base: e.g. `git show
// main:src/samplers/tpe.ts > src/samplers/tpe_base.ts`) or the same class with other options (--base-options).
// Run: npx tsx bench/latency-ab.ts --class TpeSampler [--options '{}'] [--base src/samplers/tpe_base.ts]
//        [--base-options '{}'] [--dims 5,fcnet,cond] [--proposals 60] [--warmup 5] [--load]
// --class: TpeSampler, GpSampler, AutoSampler or MotpeSampler (from src/samplers; MOTPE on two-objective histories); --load: a second process busy, as in
// proposal-latency.ts; --rungs: both inside BohbSampler on ASHA-like histories (proposal-latency.ts's gp+rungs rows).
import { resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { GpSampler } from '../src/samplers/gp.js';
import { TpeSampler } from '../src/samplers/tpe.js';
import { AutoSampler } from '../src/samplers/auto.js';
import { MotpeSampler } from '../src/samplers/motpe.js';
import { BohbSampler } from '../src/samplers/bohb.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { RUNGS, METRIC, history, spaceOf, type Entry } from './proposal-latency.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Ctor = new (o: object) => Sampler;
const classes: Record<string, Ctor> = { TpeSampler, GpSampler, AutoSampler, MotpeSampler } as unknown as Record<string, Ctor>;
const cls = arg('class') ?? '';
/** Objectives of the histories: two for a multi-objective sampler, as in proposal-latency.ts. */
const objectives = cls === 'MotpeSampler' ? 2 : 1;
const This = classes[cls];
if (This === undefined) {
  console.error(`Expected --class to be one of ${Object.keys(classes).join(', ')}, got ${cls || 'none'}`);
  process.exit(2);
}
const basePath = arg('base');
const Base = basePath === undefined ? This : ((await import(pathToFileURL(resolve(basePath)).href)) as Record<string, Ctor>)[cls];
if (Base === undefined) {
  console.error(`Expected ${basePath} to export ${cls}`);
  process.exit(2);
}
const options = JSON.parse(arg('options') ?? '{}') as object;
const baseOptions = JSON.parse(arg('base-options') ?? arg('options') ?? '{}') as object;
const proposals = Number(arg('proposals') ?? 60);
const warmup = Number(arg('warmup') ?? 5);
const n = 1000;
const q = (xs: number[], p: number): string => ([...xs].sort((u, v) => u - v)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)] as number).toFixed(1);
const summary = (xs: number[]): string => `${q(xs, 0.5)} / ${q(xs, 0.95)} / ${q(xs, 1)}`;
const load = process.argv.includes('--load') ? spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }) : null;
const os = await import('node:os');
const loads = [os.loadavg()[0] as number];
try {
  for (const d of (arg('dims') ?? '5,fcnet,cond').split(',')) {
    const space = spaceOf(d);
    const rungs = process.argv.includes('--rungs');
    const wrap = (s: Sampler): Sampler => (rungs ? new BohbSampler({ rungSteps: RUNGS, metric: METRIC, inner: s, minObservations: 10 }) : s);
    const entry: Entry = { make: () => new This(options), rungs, objectives };
    const trials = history(space, entry, null, n + warmup + proposals);
    const a = wrap(new Base(baseOptions)), b = wrap(new This(options));
    const cpu = { a: [] as number[], b: [] as number[] }, wall = { a: [] as number[], b: [] as number[] };
    let differ = 0;
    const time = (s: Sampler, i: number): [number, number, unknown] => {
      const directions = Array.from({ length: objectives }, () => 'minimize' as const);
      const ctx = { space, direction: 'minimize' as const, ...(objectives > 1 ? { directions } : {}), trials: trials.slice(0, n + i), rng: new Rng(deriveSeed(99, i)) };
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = s.sample?.(ctx);
      const c = process.cpuUsage(c0);
      return [(c.user + c.system) / 1000, performance.now() - t0, r];
    };
    for (let i = 0; i < warmup + proposals; i++) {
      // Alternate which goes first, so neither always follows the other's garbage.
      const [ca, wa, ra] = i % 2 === 0 ? time(a, i) : [0, 0, null];
      const [cb, wb, rb] = time(b, i);
      const [ca2, wa2, ra2] = i % 2 === 1 ? time(a, i) : [ca, wa, ra];
      if (i >= warmup) { cpu.a.push(ca2); cpu.b.push(cb); wall.a.push(wa2); wall.b.push(wb); }
      if (JSON.stringify(ra2) !== JSON.stringify(rb)) differ++;
    }
    console.log(`${d}: base CPU ${summary(cpu.a)}, wall ${summary(wall.a)} | this CPU ${summary(cpu.b)}, wall ${summary(wall.b)} ms (p50 / p95 / max of ${proposals}); proposals differing: ${differ} of ${warmup + proposals}`);
    loads.push(os.loadavg()[0] as number);
  }
} finally {
  load?.kill();
}
console.log(`${cls} ${JSON.stringify(options)} against ${basePath ?? 'the same file'} ${JSON.stringify(baseOptions)}; load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`);
