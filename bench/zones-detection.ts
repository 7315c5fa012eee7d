// Zone-detection benchmark: does stage 1 of the zone strategy, at its DEFAULT settings, find the zones that are
// there and no others? Synthetic surfaces over units × batch size on the article's 13 × 7 grid (units 128…8192
// with midpoints, batch 16…1024) with known structure, plus MNIST-like seed noise (sd 0.0003–0.002, and one case
// where small batches are noisier), many repetitions. Reports zone recall and the share of spurious zones.
// Usage: npx tsx bench/zones-detection.ts [--reps 40] [--seed-base 5000] [--json out.json]
// Seeds: development used seed bases 1 and 100 (never reported); the README's figures use --seed-base 5000.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emptyResultSet, addEntries, type ResultEntry, type ResultSet } from '../src/results/index.js';
import { defaultZoneSpace, runStage, type ZoneOptions, type ZonesOutput } from '../src/strategies/zones/index.js';
import { paramsKey } from '../src/strategies/zones/common.js';
import type { Params, TrialPlan } from '../src/core/types.js';
import { Rng, deriveSeed } from '../src/core/rng.js';

export const UNITS = [128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192];
export const BATCH = [16, 32, 64, 128, 256, 512, 1024];

/** A surface with known structure: f over (log2 units, log2 batch), and its true peaks (grid points). */
export interface Surface {
  readonly name: string;
  readonly f: (x: number, y: number) => number;
  /** True peaks as grid points [units, batch]; one entry for a flat surface or a ridge (one zone is right there). */
  readonly peaks: readonly (readonly [number, number])[];
  /** A single run at a random point drawn this many sds high (a noise-only spike), else 0. */
  readonly spikeSds?: number;
}

const bump = (x: number, y: number, cx: number, cy: number, sx: number, sy: number): number =>
  Math.exp(-((x - cx) ** 2) / (2 * sx * sx) - ((y - cy) ** 2) / (2 * sy * sy));

/**
 * The five structures of issue 12. Heights are MNIST-like: the GPU grid of 2026-11-26 spans 0.970–0.985 with
 * bumps of 0.005–0.01 over their surroundings.
 */
export const SURFACES: readonly Surface[] = [
  { name: 'one broad peak', f: (x, y) => 0.972 + 0.01 * bump(x, y, 11, 6, 1.5, 1.2), peaks: [[2048, 64]] },
  { name: 'two separated peaks', f: (x, y) => 0.972 + 0.01 * bump(x, y, 9, 5, 0.9, 0.9) + 0.008 * bump(x, y, Math.log2(6144), 9, 0.9, 0.9), peaks: [[512, 32], [6144, 512]] },
  // A diagonal ridge (wider networks want larger batches: batch × 2 per units × √2, the grid's diagonal), flat
  // along its crest: one elongated zone. (A crest that falls between grid points is a chain of real local maxima
  // at this resolution, not one zone.)
  { name: 'a ridge', f: (x, y) => 0.972 + 0.01 * Math.exp(-(((y - 4) - 2 * (x - 7)) ** 2) / (2 * 0.7 * 0.7)), peaks: [[512, 256]] },
  { name: 'a flat surface', f: () => 0.98, peaks: [[1024, 128]] },
  { name: 'a noise-only spike', f: () => 0.98, peaks: [[1024, 128]], spikeSds: 4 },
];

/** Noise models: constant sds across MNIST's measured range, and one where the sd falls with batch size. */
export const NOISES: readonly { readonly name: string; readonly sd: (batch: number) => number }[] = [
  { name: 'sd 0.0003', sd: () => 0.0003 },
  { name: 'sd 0.0007', sd: () => 0.0007 },
  { name: 'sd 0.0012', sd: () => 0.0012 },
  { name: 'sd 0.002', sd: () => 0.002 },
  { name: 'sd 0.002 at batch 16 → 0.0006 at 1024', sd: (b) => 0.002 * (16 / b) ** 0.29 },
];

/**
 * The grid points that count as finding a true peak: its basin's points within 2 sd of its height (a detector
 * cannot tell them from the peak with one run each) and the grid points next to it. For a flat surface or a ridge
 * that is the whole plateau or crest.
 */
export function peakCores(s: Surface, sdAt: (batch: number) => number): Set<string>[] {
  const lx = (u: number): number => Math.log2(u);
  return s.peaks.map(([pu, pb], k) => {
    const core = new Set<string>();
    const top = s.f(lx(pu), lx(pb));
    for (const u of UNITS) {
      for (const b of BATCH) {
        // The basin: the nearest true peak in grid-index distance.
        const d = (q: readonly [number, number]): number => Math.hypot(UNITS.indexOf(q[0]) - UNITS.indexOf(u), BATCH.indexOf(q[1]) - BATCH.indexOf(b));
        const nearest = s.peaks.reduce((bi, q, i) => (d(q) < d(s.peaks[bi] as readonly [number, number]) ? i : bi), 0);
        const adjacent = Math.abs(UNITS.indexOf(u) - UNITS.indexOf(pu)) <= 1 && Math.abs(BATCH.indexOf(b) - BATCH.indexOf(pb)) <= 1;
        if (adjacent || (nearest === k && s.f(lx(u), lx(b)) >= top - 2 * sdAt(b))) core.add(paramsKey({ units: u, batch_size: b }));
      }
    }
    return core;
  });
}

/** Evaluates stage-1 plans on a surface: value = f + sd·N(0, 1), seeded by (repetition, trial seed, params). */
function evaluator(s: Surface, sdAt: (batch: number) => number, rep: number, spikeAt: string | null): (plans: readonly TrialPlan[]) => ResultEntry[] {
  return (plans) =>
    plans.map((pl) => {
      const key = paramsKey(pl.params);
      const rng = new Rng(deriveSeed(rep, `${pl.seed}`, key));
      const b = Number(pl.params.batch_size);
      const sd = sdAt(b);
      const spike = spikeAt === key && pl.seed === deriveSeed(0, 'zones', 0) ? (s.spikeSds ?? 0) * sd : 0;
      const v = s.f(Math.log2(Number(pl.params.units)), Math.log2(b)) + sd * rng.normal() + spike;
      return { params: pl.params, seed: pl.seed, budget: pl.budget, value: v, steps: [], metrics: {}, stage: 'zones' };
    });
}

/** Stage 1 run to completion (every round of its plan) with the given options. */
export function runStageOne(evaluate: (plans: readonly TrialPlan[]) => ResultEntry[], options: ZoneOptions): { out: ZonesOutput; runs: number } {
  let rs: ResultSet = emptyResultSet(defaultZoneSpace().toJSON(), { metric: 'val_accuracy', direction: 'maximize' }, {});
  for (let round = 0; round < 20; round++) {
    rs = runStage('zones', rs, options);
    const plan = rs.plan ?? [];
    if (rs.stage_output !== undefined && plan.length === 0) return { out: rs.stage_output as unknown as ZonesOutput, runs: rs.entries.length };
    rs = addEntries(rs, evaluate(plan));
  }
  throw new Error('stage 1 did not finish in 20 rounds');
}

/** One case's counts. */
export interface CaseResult {
  readonly surface: string;
  readonly noise: string;
  readonly truePeaks: number;
  readonly found: number;
  readonly zones: number;
  readonly spurious: number;
  readonly runs: number;
}

/** Runs one surface × noise × repetition at the default settings (plus `options`, e.g. valSize as a spec passes it). */
export function runCase(s: Surface, noise: (typeof NOISES)[number], rep: number, options: ZoneOptions = {}): CaseResult {
  const rng = new Rng(deriveSeed(rep, 'spike', s.name));
  const spikeAt = s.spikeSds ? paramsKey({ units: rng.pick(UNITS), batch_size: rng.pick(BATCH) }) : null;
  const { out, runs } = runStageOne(evaluator(s, noise.sd, rep, spikeAt), { epochs: 10, seed: rep, valSize: 12_000, ...options });
  const cores = peakCores(s, noise.sd);
  const matched = new Set<number>();
  let spurious = 0;
  for (const z of out.zones) {
    const k = paramsKey(z.peak as Params);
    const i = cores.findIndex((c, j) => !matched.has(j) && c.has(k));
    if (i >= 0) matched.add(i);
    else spurious++;
  }
  return { surface: s.name, noise: noise.name, truePeaks: s.peaks.length, found: matched.size, zones: out.zones.length, spurious, runs };
}

/** Recall and spurious share over many repetitions, per surface × noise and overall. */
export function runBench(o: { reps: number; seedBase: number; options?: ZoneOptions }): {
  rows: CaseResult[];
  recall: number;
  spuriousShare: number;
  meanRuns: number;
} {
  const rows: CaseResult[] = [];
  for (const s of SURFACES) {
    for (const n of NOISES) {
      const acc = { truePeaks: 0, found: 0, zones: 0, spurious: 0, runs: 0 };
      for (let r = 0; r < o.reps; r++) {
        const c = runCase(s, n, o.seedBase + r, o.options);
        acc.truePeaks += c.truePeaks;
        acc.found += c.found;
        acc.zones += c.zones;
        acc.spurious += c.spurious;
        acc.runs += c.runs;
      }
      rows.push({ surface: s.name, noise: n.name, ...acc });
    }
  }
  const sum = (k: keyof Omit<CaseResult, 'surface' | 'noise'>): number => rows.reduce((a, r) => a + r[k], 0);
  return { rows, recall: sum('found') / sum('truePeaks'), spuriousShare: sum('spurious') / sum('zones'), meanRuns: sum('runs') / (rows.length * o.reps) };
}

function main(): void {
  const arg = (name: string, dflt: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
  };
  const reps = Number(arg('reps', '40'));
  const seedBase = Number(arg('seed-base', '5000'));
  const t0 = performance.now();
  const res = runBench({ reps, seedBase });
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  console.log(`Zone detection at default settings: ${reps} repetitions per case, seeds ${seedBase}…${seedBase + reps - 1}`);
  console.log('| surface | noise | true peaks found | zones reported | spurious zones |');
  console.log('|---|---|---|---|---|');
  for (const r of res.rows) console.log(`| ${r.surface} | ${r.noise} | ${r.found}/${r.truePeaks} (${pct(r.found / r.truePeaks)}) | ${r.zones} | ${r.spurious} (${pct(r.spurious / Math.max(1, r.zones))}) |`);
  console.log(`\nOverall: recall ${pct(res.recall)}, spurious ${pct(res.spuriousShare)} of reported zones; stage 1 used ${res.meanRuns.toFixed(1)} runs on average (91 grid points). ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const out = arg('json', '');
  if (out) writeFileSync(out, JSON.stringify({ reps, seedBase, ...res }, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
