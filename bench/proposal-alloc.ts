// Memory allocated per proposal at 1,000 trials (bench/proposal-latency.ts's histories, the study growing by one trial
// per proposal): the growth of V8's heap and of array-buffer storage across each proposal, median over the proposals
// no collection fell in (a collection makes the difference negative: left out), and the collections seen.
// Run in two checkouts to compare code: npx tsx bench/proposal-alloc.ts [--only gp] [--dims 2,5,10,fcnet,cond]
import { PerformanceObserver } from 'node:perf_hooks';
import { Rng, deriveSeed } from '../src/core/rng.js';
import { SAMPLERS, history, spaceOf, type Entry } from './proposal-latency.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const names = Object.keys(SAMPLERS).filter((k) => (arg('only') ?? 'gp').split(',').some((o) => k.startsWith(o)));
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
for (const name of names) {
  for (const d of (arg('dims') ?? '2,5,10,fcnet,cond').split(',')) {
    const entry = SAMPLERS[name] as Entry;
    if (d === 'cond' && entry.noConditional) continue;
    const space = spaceOf(d);
    const n = 1000, warmup = 3, proposals = 45;
    const trials = history(space, entry, entry.ownHistory ? entry.make(n) : null, n + warmup + proposals);
    const s = entry.make(n);
    const run = (i: number): void => void s.sample?.({ space, direction: 'minimize', trials: trials.slice(0, n + i), rng: new Rng(deriveSeed(99, i)) });
    for (let i = 0; i < warmup; i++) run(i);
    let gcs = 0;
    const obs = new PerformanceObserver((l) => { gcs += l.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    const heap: number[] = [], buffers: number[] = [];
    for (let i = warmup; i < warmup + proposals; i++) {
      const m0 = process.memoryUsage();
      run(i);
      const m1 = process.memoryUsage();
      if (m1.heapUsed > m0.heapUsed && m1.arrayBuffers >= m0.arrayBuffers) {
        heap.push(m1.heapUsed - m0.heapUsed);
        buffers.push(m1.arrayBuffers - m0.arrayBuffers);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    console.log(`${name} ${d}: heap ${(med(heap) / 1024).toFixed(0)} KiB, array buffers ${(med(buffers) / 1024).toFixed(0)} KiB per proposal (median of ${heap.length} of ${proposals}); ${gcs} collections in ${proposals} proposals`);
  }
}
