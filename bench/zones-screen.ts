// Would a short screening survey keep what wins at the full budget? Early elimination measured on the stored MNIST
// studies (no new training): survey every grid point at a short budget s, keep the points that are not significantly
// worse than the best there (two-sided 95 % test of a difference of two single runs, with the seed-to-seed sd
// measured at s), or the best q of them, and continue only those. For each rule: how many points it keeps, whether
// the configurations that won at the full budget (and the zones the full survey finds) are among them, and what
// stage 1 would cost against the single survey it replaces, when the kept points must be restarted (hyperzone's
// trainers cannot continue a run: neither the built-in tfjs trainer nor the command runner checkpoints) and when they
// are continued (what it costs to launch every point at S and stop the others at s, as the schedulers stop trials).
// Usage: npx tsx bench/zones-screen.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseResultSet, type ResultEntry, type ResultSet } from '../src/results/index.js';
import { studentTQuantile } from '../src/stats/distributions.js';
import { variance } from '../src/stats/intervals.js';
import { Space } from '../src/space/space.js';
import { collectPoints, estimateNoise, gridAxes } from '../src/strategies/zones/index.js';
import { findZones } from '../src/strategies/zones/zones.js';

const GPU = 'docs/zones-gpu-2026-11-26/run2-4-confirm.json';
const CPU = 'docs/zones-cpu-2026-11-26/4-confirm.json';

/** units × batch, the grid point of a run (schedules are stage 3's, not the survey's). */
export const pointOf = (e: ResultEntry): string => `${String(e.params.units)}x${String(e.params.batch_size)}`;

/**
 * A run's best-so-far value at `epoch` while its learning rate was still the initial one (so it is a schedule-free
 * survey run up to there); null when it changed earlier, the run is shorter, or (without per-epoch metrics) its
 * budget is not `epoch` or it ran a schedule.
 */
export function constantLrValue(e: ResultEntry, metric: string, epoch: number): number | null {
  if (e.steps.length === 0) {
    const schedule = e.params.lr_schedule;
    return e.budget === epoch && (schedule === undefined || schedule === 'none') ? e.value : null;
  }
  const upTo = e.steps.filter((s) => s.step <= epoch);
  if (upTo.length < epoch) return null;
  const lr0 = upTo[0]?.metrics.lr;
  if (upTo.some((s) => s.metrics.lr !== lr0)) return null;
  const vs = upTo.map((s) => s.metrics[metric]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return vs.length > 0 ? Math.max(...vs) : null;
}

/** Pooled seed-to-seed sd at `epoch` over grid points with ≥ 2 distinct seeds (one value per seed), and its df. */
export function seedSdAt(entries: readonly ResultEntry[], metric: string, epoch: number): { sd: number; df: number; points: number } {
  const bySeed = new Map<string, Map<number, number>>();
  for (const e of entries) {
    const v = constantLrValue(e, metric, epoch);
    if (v === null) continue;
    const m = bySeed.get(pointOf(e)) ?? new Map<number, number>();
    if (!m.has(e.seed)) m.set(e.seed, v);
    bySeed.set(pointOf(e), m);
  }
  let ss = 0;
  let df = 0;
  let points = 0;
  for (const m of bySeed.values()) {
    if (m.size < 2) continue;
    const vs = [...m.values()];
    ss += variance(vs) * (vs.length - 1);
    df += vs.length - 1;
    points++;
  }
  return { sd: df > 0 ? Math.sqrt(ss / df) : NaN, df, points };
}

/** The points within the two-sided `confidence` band of a difference of two single runs of the best: t·sd·√2. */
export function keepByBand(values: ReadonlyMap<string, number>, sd: number, df: number, confidence = 0.95): { kept: Set<string>; band: number } {
  const band = studentTQuantile(1 - (1 - confidence) / 2, df) * sd * Math.SQRT2;
  const best = Math.max(...values.values());
  return { kept: new Set([...values].filter(([, v]) => best - v <= band).map(([k]) => k)), band };
}

/** The best ⌈q·n⌉ points. */
export function keepTopShare(values: ReadonlyMap<string, number>, q: number): Set<string> {
  const sorted = [...values].sort((a, b) => b[1] - a[1]);
  return new Set(sorted.slice(0, Math.ceil(q * sorted.length)).map(([k]) => k));
}

/** 1 + the number of points strictly better. */
export const rankOf = (values: ReadonlyMap<string, number>, key: string): number =>
  1 + [...values.values()].filter((v) => v > (values.get(key) as number)).length;

/**
 * Stage 1's cost with screening over the single survey it replaces (both with the same repeat lattice, which
 * scales alike): all points at s, then the kept share k at S — from scratch (restart) or from s (resume).
 */
export const screenCostRatio = (s: number, S: number, k: number, restart: boolean): number => (s + k * (restart ? S : S - s)) / S;

/** Grid values at an epoch (one seed per point: stage 1's runs), schedule-free. */
function gridAt(rs: ResultSet, epoch: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of rs.entries) {
    if ((e.stage ?? 'zones') !== 'zones') continue;
    const v = constantLrValue(e, rs.objective.metric, epoch);
    if (v !== null && !out.has(pointOf(e))) out.set(pointOf(e), v);
  }
  return out;
}

const f4 = (x: number): string => x.toFixed(4);
const pct = (x: number): string => `${Math.round(100 * x)}%`;
const SHARES = [0.25, 0.5, 0.7];

function gpu(): void {
  const rs = parseResultSet(JSON.parse(readFileSync(GPU, 'utf8')));
  const metric = rs.objective.metric;
  const grid = gridAt(rs, 10);
  const noise = seedSdAt(rs.entries, metric, 10);
  const { kept, band } = keepByBand(grid, noise.sd, noise.df);
  console.log(`\n## MNIST GPU study (${GPU}): the 91-point grid at 10 epochs, outcomes at 30`);
  console.log(`Seed sd at epoch 10 (schedule-free runs, ${noise.df} df from ${noise.points} grid points): ${noise.sd.toFixed(5)}; 95 % band for a difference of two single runs: ${f4(band)}`);
  console.log(`Kept by the band at 10 epochs: ${kept.size} of ${grid.size} (${pct(kept.size / grid.size)})`);
  // Outcomes at the full budget: stage 3's runs (one seed, 4 schedules) and stage 4's means, per grid point.
  const at30 = new Map<string, { none: number | null; best: number; schedule: string }>();
  for (const e of rs.entries.filter((x) => x.stage === 'schedules' && x.budget === 30)) {
    const k = pointOf(e);
    const cur = at30.get(k) ?? { none: null, best: -Infinity, schedule: '' };
    if (e.params.lr_schedule === 'none') cur.none = e.value;
    if (e.value > cur.best) Object.assign(cur, { best: e.value, schedule: String(e.params.lr_schedule) });
    at30.set(k, cur);
  }
  const confirm = new Map<string, number[]>();
  for (const e of rs.entries.filter((x) => x.stage === 'confirm')) {
    const k = `${pointOf(e)} ${String(e.params.lr_schedule)}`;
    confirm.set(k, [...(confirm.get(k) ?? []), e.value]);
  }
  const confirmed = [...confirm].map(([k, v]) => ({ k, m: v.reduce((a, b) => a + b, 0) / v.length, n: v.length })).sort((a, b) => b.m - a.m);
  console.log(`Stage 4 (5 seeds, 30 epochs), best validation mean: ${confirmed.map((c) => `${c.k} ${f4(c.m)}`).join('; ')}`);
  console.log(`\n| grid point | val at 30, no schedule | best val at 30 (schedule) | rank at 10 of ${grid.size} | below the best at 10 | kept by band | ${SHARES.map((q) => `top ${pct(q)}`).join(' | ')} |`);
  console.log(`|---|---|---|---|---|---|${SHARES.map(() => '---|').join('')}`);
  const rows = [...at30].sort((a, b) => b[1].best - a[1].best);
  for (const [k, r] of rows) {
    const v = grid.get(k) as number;
    const gap = Math.max(...grid.values()) - v;
    const yes = (b: boolean): string => (b ? 'yes' : '**no**');
    console.log(`| ${k} | ${r.none === null ? '–' : f4(r.none)} | ${f4(r.best)} (${r.schedule}) | ${rankOf(grid, k)} | ${f4(gap)} (${(gap / (noise.sd * Math.SQRT2)).toFixed(1)} sd of a difference) | ${yes(kept.has(k))} | ${SHARES.map((q) => yes(keepTopShare(grid, q).has(k))).join(' | ')} |`);
  }
  // The same rule as a zone study would apply it: the sd from stage 1's repeat lattice (18 df on the 13 × 7 grid).
  const lattice = keepByBand(grid, noise.sd, 18);
  const lost = [...at30.keys()].filter((x) => !lattice.kept.has(x));
  console.log(`\nWith the same sd on the default repeat lattice's 18 df: band ${f4(lattice.band)}, ${lattice.kept.size} of ${grid.size} kept; full-budget configurations lost: ${lost.join(', ') || 'none'}`);
  const worstGap = Math.max(...grid.values()) - Math.min(...[...at30.keys()].map((x) => grid.get(x) as number));
  const need = worstGap / (studentTQuantile(0.975, noise.df) * Math.SQRT2);
  console.log(`To keep all four at ${noise.df} df the sd estimate must be ≥ ${need.toFixed(5)} (measured ${noise.sd.toFixed(5)})`);
  const k = kept.size / grid.size;
  console.log(`\nStage 1 at the defaults for 40 epochs (survey S = 28), screening at s = 13 (a third, as 10 of 30 here) keeping ${pct(k)}:` +
    ` ${screenCostRatio(13, 28, k, true).toFixed(2)}× the single survey when kept points restart (hyperzone's trainers), ${screenCostRatio(13, 28, k, false).toFixed(2)}× if they were continued (or launched at S and stopped at s, as the schedulers stop running trials).`);
}

function cpu(): void {
  const rs = parseResultSet(JSON.parse(readFileSync(CPU, 'utf8')));
  const metric = rs.objective.metric;
  const space = Space.fromSpec(rs.space);
  const axes = gridAxes(space, 5);
  const final = 10;
  const survey = Math.ceil(0.7 * final);
  const atFinal = gridAt(rs, final);
  const top3 = [...atFinal].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k]) => k);
  // The contenders at the end: points not significantly worse than the final best (band from the seed sd there).
  const sdFinal = seedSdAt(rs.entries, metric, final);
  const contenders = [...keepByBand(atFinal, sdFinal.sd, sdFinal.df).kept];
  // Zones of the full survey (epoch 7 of 10, the default share) with the band from the seed sd measured there.
  const surveyGrid = gridAt(rs, survey);
  const sdSurvey = seedSdAt(rs.entries, metric, survey);
  const pts = collectPoints(
    rs.entries.filter((e) => (e.stage ?? 'zones') === 'zones'),
    (e) => constantLrValue(e, metric, survey),
    'maximize',
  );
  const zoneBand = studentTQuantile(0.975, sdSurvey.df) * sdSurvey.sd * Math.SQRT2;
  const zones = findZones(pts, estimateNoise(pts, { noiseBand: zoneBand, valSize: undefined, confidence: 0.95 }, axes), axes).zones;
  const zonePeaks = zones.map((z) => `${String(z.peak.units)}x${String(z.peak.batch_size)}`);
  console.log(`\n## MNIST CPU study (${CPU}): the 16-point grid with curves to ${final} epochs`);
  console.log(`Top 3 at epoch ${final}: ${top3.join(', ')}; within the band of the best there (seed sd ${sdFinal.sd.toFixed(5)}, ${sdFinal.df} df): ${contenders.join(', ')}. The full survey (epoch ${survey}, band ${f4(zoneBand)} from seed sd ${sdSurvey.sd.toFixed(5)}, ${sdSurvey.df} df) finds ${zones.length} zone(s), peaks ${zonePeaks.join(', ')}; best there ${[...surveyGrid].sort((a, b) => b[1] - a[1])[0]?.[0]}`);
  console.log('\n| screen at s | share of budget | seed sd at s (df) | band | kept by band | top 3 at 10 kept | contenders at 10 kept | zone peaks kept | restart cost vs survey | ' + SHARES.map((q) => `top ${pct(q)}: top 3 / zones kept`).join(' | ') + ' |');
  console.log('|---|---|---|---|---|---|---|---|---|' + SHARES.map(() => '---|').join(''));
  for (let s = 1; s < survey; s++) {
    const g = gridAt(rs, s);
    const n = seedSdAt(rs.entries, metric, s);
    const { kept, band } = keepByBand(g, n.sd, n.df);
    const count = (set: Set<string>, keys: readonly string[]): string => `${keys.filter((k) => set.has(k)).length}/${keys.length}`;
    const lost = (set: Set<string>, keys: readonly string[]): string => {
      const out = keys.filter((k) => !set.has(k));
      return out.length > 0 ? ` (lost ${out.join(', ')})` : '';
    };
    console.log(
      `| ${s} | ${(s / final).toFixed(1)} | ${n.sd.toFixed(5)} (${n.df}) | ${f4(band)} | ${kept.size}/${g.size} | ${count(kept, top3)}${lost(kept, top3)} | ${count(kept, contenders)}${lost(kept, contenders)} | ${count(kept, zonePeaks)} | ${screenCostRatio(s, survey, kept.size / g.size, true).toFixed(2)}× | ` +
        SHARES.map((q) => {
          const t = keepTopShare(g, q);
          return `${count(t, top3)} / ${count(t, zonePeaks)}`;
        }).join(' | ') +
        ' |',
    );
  }
}

function main(): void {
  console.log('Early elimination on the stored MNIST studies (bench/zones-screen.ts)');
  gpu();
  cpu();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
