// The GP sampler of this checkout against another version of it, proposal by proposal in the same process: after
// 1,000 complete trials (random configurations, a smooth value plus noise) the study grows by one trial per proposal;
// each proposal is made by both samplers in turn, so both see the same load. Prints CPU ms (p50 / p95 / max of the
// proposals after 5 untimed ones) and how many proposals differ between the two.
// Run: git show 02afbc8:src/samplers/gp.ts > src/samplers/gp_base.ts
//      npx tsx bench/gp-ab.ts --base src/samplers/gp_base.ts [--dims 5,10,fcnet] [--proposals 60] [--auto]
// (--auto: the options auto's GP phase uses, rank-transformed values and no repeats.)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GpSampler, type GpOptions } from '../src/samplers/gp.js';
import { Rng, deriveSeed } from '../src/core/rng.js';
import type { TrialRecord } from '../src/core/types.js';
import type { Sampler } from '../src/samplers/sampler.js';
import { makeTrial } from './support/loop.js';
import { fcnetSpace, mixedSpace } from './proposal-latency.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const base = arg('base');
if (base === undefined) {
  console.error('Expected `--base` to name the other gp.ts (e.g. src/samplers/gp_base.ts), got none');
  process.exit(2);
}
const Base = ((await import(pathToFileURL(resolve(base)).href)) as { GpSampler: new (o: GpOptions) => Sampler }).GpSampler;
const options: GpOptions = process.argv.includes('--auto') ? { yTransform: 'rank', avoidRepeats: true } : {};
const proposals = Number(arg('proposals') ?? 60);
const q = (xs: number[], p: number): string => ([...xs].sort((u, v) => u - v)[Math.min(xs.length - 1, Math.floor(p * xs.length))] as number).toFixed(1);
for (const d of (arg('dims') ?? '5,10,fcnet').split(',')) {
  const space = d === 'fcnet' ? fcnetSpace() : mixedSpace(Number(d));
  const rng = new Rng(42);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 1000 + proposals; i++) {
    const p = space.sample(rng);
    let s = 0;
    for (const n of space.names) s += (space.get(n).toUnit(p[n] as never) - 0.5) ** 2;
    trials.push(makeTrial(i, p, s + 0.01 * rng.normal()));
  }
  const a = new Base(options), b = new GpSampler(options);
  const ta: number[] = [], tb: number[] = [];
  let differ = 0;
  const cpu = (f: () => unknown): [number, unknown] => {
    const c0 = process.cpuUsage();
    const r = f();
    const c = process.cpuUsage(c0);
    return [(c.user + c.system) / 1000, r];
  };
  for (let i = 0; i < proposals; i++) {
    const ctx = (): Parameters<GpSampler['sample']>[0] => ({ space, direction: 'minimize', trials: trials.slice(0, 1000 + i), rng: new Rng(deriveSeed(99, i)) });
    const [x, ra] = cpu(() => a.sample?.(ctx()));
    const [y, rb] = cpu(() => b.sample(ctx()));
    if (i >= 5) { ta.push(x); tb.push(y); }
    if (JSON.stringify(ra) !== JSON.stringify(rb)) differ++;
  }
  console.log(`${d} params${options.yTransform ? ' (auto options)' : ''}: base ${q(ta, 0.5)} / ${q(ta, 0.95)} / ${q(ta, 1)} ms, this ${q(tb, 0.5)} / ${q(tb, 0.95)} / ${q(tb, 1)} ms CPU (p50 / p95 / max); proposals differing: ${differ} of ${proposals}`);
}
