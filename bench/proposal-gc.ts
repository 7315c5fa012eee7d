// Garbage collection inside proposals: the cells of bench/proposal-latency.ts (every sampler, the 2-, 5-, 10-param,
// FCNet and conditional spaces, 1,000 trials, 45 timed proposals after 3, a second process busy), in its order, and
// for every timed proposal the GC pause time inside it (V8's gc performance entries, scavenges apart from the rest).
// Printed for the GP family (gp, gp+rungs, auto's GP and confirmation phases, auto+rungs) and, as the control in the
// same run, for every other sampler. Run in two checkouts to compare code: npx tsx bench/proposal-gc.ts [--only gp,auto]
import { spawn } from 'node:child_process';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import os from 'node:os';
import { SAMPLERS, spaceOf, timeSampler, type Entry } from './proposal-latency.js';

const BUSY = 'const parent = process.ppid; for (let i = 1; ; i++) if (i % 5e7 === 0) { try { process.kill(parent, 0); } catch { process.exit(0); } }';
const i = process.argv.indexOf('--only');
const only = i >= 0 ? process.argv[i + 1]?.split(',') : undefined;
const family = (n: string): boolean => n.startsWith('gp') || n.startsWith('auto (GP') || n.startsWith('auto (confirm') || n.startsWith('auto+');
interface Stats { n: number; withGc: number; gcSum: number; gcMax: number; over10: number; minorMax: number; majorMax: number; cpuMax: number; wall50: number }
const stats: Record<string, Stats> = {};
const gcs: { start: number; end: number; minor: boolean }[] = [];
const obs = new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    const minor = (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
    gcs.push({ start: e.startTime, end: e.startTime + e.duration, minor });
  }
});
obs.observe({ entryTypes: ['gc'] });
const load = spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' });
const loads = [os.loadavg()[0] as number];
try {
  for (const name of Object.keys(SAMPLERS)) {
    if (only && !only.some((o) => name.startsWith(o))) continue;
    const entry = SAMPLERS[name] as Entry;
    for (const d of ['2', '5', '10', 'fcnet', 'cond']) {
      if (d === 'cond' && entry.noConditional) continue;
      gcs.length = 0;
      const { wall, cpu, spans } = timeSampler(entry, spaceOf(d), 1000, 3, 45);
      await new Promise((r) => setTimeout(r, 20));
      const key = family(name) ? 'GP family' : 'others';
      const s = (stats[key] ??= { n: 0, withGc: 0, gcSum: 0, gcMax: 0, over10: 0, minorMax: 0, majorMax: 0, cpuMax: 0, wall50: 0 });
      spans.forEach(([a, b], k) => {
        let g = 0;
        for (const e of gcs) {
          const o = Math.max(0, Math.min(b, e.end) - Math.max(a, e.start));
          if (o <= 0) continue;
          g += o;
          if (e.minor) s.minorMax = Math.max(s.minorMax, o);
          else s.majorMax = Math.max(s.majorMax, o);
        }
        s.n++;
        if (g > 0) s.withGc++;
        if (g > 10) s.over10++;
        s.gcSum += g;
        s.gcMax = Math.max(s.gcMax, g);
        s.cpuMax = Math.max(s.cpuMax, cpu[k] as number);
        if ((wall[k] as number) > 50) s.wall50++;
      });
    }
    loads.push(os.loadavg()[0] as number);
  }
} finally {
  load.kill();
  obs.disconnect();
}
for (const [k, s] of Object.entries(stats)) {
  console.log(`${k}: ${s.n} proposals; with a GC pause inside ${s.withGc}, over 10 ms of it ${s.over10}; GC ms inside proposals ${s.gcSum.toFixed(0)} `
    + `(most in one ${s.gcMax.toFixed(1)}; longest scavenge ${s.minorMax.toFixed(1)}, other ${s.majorMax.toFixed(1)}); CPU max ${s.cpuMax.toFixed(1)} ms; wall over 50 ms: ${s.wall50}`);
}
console.log(`load average (1 min) ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} (${os.cpus().length} cores)`);
