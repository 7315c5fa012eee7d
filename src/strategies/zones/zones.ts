import { HyperzoneError } from '../../core/errors.js';
import type { ResultSet } from '../../results/resultset.js';
import { deriveSeed } from '../../core/rng.js';
import { Space } from '../../space/space.js';
import type { ParamValue, Params, TrialPlan } from '../../core/types.js';
import { bare, collectPoints, entriesOf, missingPlans, needsResults, paramsKey, stagePlan, valueAt, type PointStat } from './common.js';
import { estimateNoise, type NoiseModel, type NoiseSummary } from './noise.js';
import { resolveZoneOptions, type ResolvedZoneOptions, type Zone, type ZoneOptions } from './options.js';

/** Stage 1's findings, stored as the output document's `stage_output`. */
export interface ZonesOutput {
  readonly stage: 'zones';
  /** The epoch the surface was read at (null: each run's own value). */
  readonly epoch: number | null;
  /** The noise band's source and estimate (seed-to-seed sd with its interval and cost, or the fallback, in words). */
  readonly noise: NoiseSummary & {
    /** Second runs given to zone peaks that rested on one run (not used for the sd: chosen for a high first run). */
    readonly verifyRuns: number;
  };
  /** Zones, best first. */
  readonly zones: readonly Zone[];
  /** The plain grid's best configuration (the baseline stage 4 reruns). */
  readonly gridBest: { readonly params: Params; readonly value: number; readonly n: number };
  /** Evaluated grid points behind the analysis. */
  readonly points: number;
  /** The epochs at which zones were also read (persistence, see Zone.persistsAt); empty when runs have no per-epoch metrics. */
  readonly persistenceEpochs: readonly number[];
}

/** The ordered list of values each axis takes on the grid. */
export function gridAxes(space: Space, pointsPerAxis: number): { name: string; values: readonly ParamValue[]; ordered: boolean }[] {
  return space.names.map((name) => {
    const d = space.get(name);
    return { name, values: d.values() ?? d.grid(pointsPerAxis), ordered: d.ordered };
  });
}

/**
 * Whether a grid point (by its index on each axis) is in stage 1's stratified repeat lattice: Σ cⱼ·iⱼ ≡ 0 (mod P)
 * with P = round(1/share) and cⱼ = 1, 2, …: every row and column of the grid gets its share, spread evenly,
 * fixed in advance (points chosen after seeing their first run would bias the sd upward).
 */
export function inRepeatLattice(index: readonly number[], share: number): boolean {
  if (share <= 0) return false;
  const period = Math.max(1, Math.round(1 / share));
  if (period === 1) return true;
  let s = 0;
  index.forEach((i, j) => (s += i * ((j % (period - 1)) + 1)));
  return s % period === 0;
}

/**
 * Stage 1's plan: the full factorial grid at `surveyEpochs` (default `epochs`) with `repeats` seeds per point;
 * with one seed, a stratified `repeatShare` of the points (default a fifth) gets a second seed, to measure the noise.
 */
export function zonesPlan(rs: ResultSet, options: ZoneOptions = {}): TrialPlan[] {
  const o = resolveZoneOptions(options);
  const space = Space.fromSpec(rs.space);
  const axes = gridAxes(space, o.pointsPerAxis);
  const plans: TrialPlan[] = [];
  for (const params of space.grid(o.pointsPerAxis)) {
    const index = axes.map((ax) => ax.values.indexOf(params[ax.name] as ParamValue));
    const seeds = o.repeats > 1 ? o.repeats : inRepeatLattice(index, o.repeatShare) ? 2 : 1;
    for (let r = 0; r < seeds; r++) plans.push(stagePlan(params, deriveSeed(o.seed, 'zones', r), o.surveyEpochs, 'zones'));
  }
  return plans;
}

/** The value surface at an epoch: every evaluated grid point with its mean value (steps ≤ epoch). */
export function surfaceAt(rs: ResultSet, epoch: number | undefined, _options: ZoneOptions = {}): PointStat[] {
  const space = Space.fromSpec(rs.space);
  const { metric, direction } = rs.objective;
  const onGrid = entriesOf(rs, ['zones']).filter((e) => space.contains(e.params) && Object.keys(e.params).length === space.names.length);
  return collectPoints(onGrid, (e) => valueAt(e, metric, direction, epoch), direction);
}

/**
 * Finds zones on the stage-1 surface: noise-aware local maxima (minima when minimizing).
 * Points are merged from best to worst (a union-find watershed); where two regions meet, the lower
 * peak's prominence is its height above that saddle. A peak is a zone when its prominence exceeds the
 * noise band between it and the saddle (the best point always is). A zone's extent is the contiguous
 * set of points within the band of its peak. The noise comes from stage 1's repeated points (see noise.ts).
 * With per-epoch metrics, zones are also read at `persistenceEpochs` and each zone says where it persists.
 */
export function analyzeZones(rs: ResultSet, options: ZoneOptions = {}): ZonesOutput {
  const o = resolveZoneOptions(options);
  const space = Space.fromSpec(rs.space);
  const axes = gridAxes(space, o.pointsPerAxis);
  const points = surfaceAt(rs, o.maxEpoch, o);
  const at = o.maxEpoch === undefined ? '' : ` at epoch ${o.maxEpoch}`;
  if (points.length < 3) {
    throw new HyperzoneError(
      'STAGE_ERROR',
      `Stage \`zones\` found ${points.length} evaluated grid point(s)${at}; at least 3 are needed to find zones: evaluate the stage-1 plan (${space.gridSize(o.pointsPerAxis)} grid points) and merge the results${o.maxEpoch !== undefined ? ', or lower `maxEpoch`' : ''}`,
    );
  }
  const noise = estimateNoise(designPoints(points, axes, o), o, axes);
  const found = findZones(points, noise, axes);
  const epochs = persistenceEpochsOf(rs, o);
  const later = epochs.map((e) => {
    const pts = surfaceAt(rs, e, o);
    try {
      return pts.length >= 3 ? findZones(pts, estimateNoise(designPoints(pts, axes, o), o, axes), axes).zones : [];
    } catch (err) {
      // No noise estimate at that epoch (e.g. its values do not vary over seeds): persistence there is unknown.
      if (err instanceof HyperzoneError && err.code === 'STAGE_ERROR') return [];
      throw err;
    }
  });
  const zones = found.zones.map((z) => {
    if (epochs.length === 0) return z;
    const inExtent = new Set(z.extent.map((p) => paramsKey(p)));
    // A zone persists at an epoch when a zone found there peaks inside its extent.
    const persistsAt = epochs.filter((_, i) => (later[i] ?? []).some((w) => inExtent.has(paramsKey(w.peak))));
    return { ...z, persistsAt };
  });
  const { band: _band, ...summary } = noise;
  const verifyRuns = points.reduce((s, p) => s + Math.max(0, p.n - 1), 0) - summary.extraRuns;
  return {
    stage: 'zones',
    epoch: o.maxEpoch ?? null,
    noise: { ...summary, verifyRuns },
    zones,
    gridBest: { params: found.best.params, value: found.best.mean, n: found.best.n },
    points: points.length,
    persistenceEpochs: epochs,
  };
}

/**
 * The points whose repeats measure the noise: all with `repeats` ≥ 2, else the repeat lattice's. Peaks repeated
 * to verify them are left out: they were chosen for a high first run, so their spread would be biased upward.
 */
function designPoints(points: readonly PointStat[], axes: readonly { name: string; values: readonly ParamValue[] }[], o: ResolvedZoneOptions): PointStat[] {
  if (o.repeats > 1) return [...points];
  const inDesign = (p: PointStat): boolean => inRepeatLattice(axes.map((ax) => ax.values.indexOf(p.params[ax.name] as ParamValue)), o.repeatShare);
  return points.map((p) => (p.n < 2 || inDesign(p) ? p : { ...p, n: 1, values: [p.values[0] as number] }));
}

/**
 * The epochs to check persistence at: `persistenceEpochs`, else ¼, ½ and ¾ of the epoch the surface is read at
 * (as the article read 20/40/60 of 80), when the runs stored per-epoch metrics.
 */
function persistenceEpochsOf(rs: ResultSet, o: ResolvedZoneOptions): number[] {
  const runs = entriesOf(rs, ['zones']);
  if (!runs.some((e) => e.steps.length > 1)) return [];
  // The epoch the surface is read at: `maxEpoch`, else the longest stored curve (the survey the runs really had).
  const top = o.maxEpoch ?? Math.max(...runs.map((e) => e.steps.reduce((m, st) => Math.max(m, st.step), 0)));
  const want = o.persistenceEpochs ?? [0.25, 0.5, 0.75].map((f) => Math.round(top * f));
  return [...new Set(want.filter((e) => e >= 1 && e < top))].sort((a, b) => a - b);
}

/**
 * Neighbours on the grid: every point one step away along any set of ordered axes at once (the Moore
 * neighbourhood, so a ridge running diagonally across the grid stays one connected region), and every other
 * value of one unordered axis.
 */
export function gridNeighbours(
  byKey: ReadonlyMap<string, PointStat>,
  axes: readonly { name: string; values: readonly ParamValue[]; ordered: boolean }[],
): (p: PointStat) => PointStat[] {
  const ordered = axes.filter((a) => a.ordered);
  const unordered = axes.filter((a) => !a.ordered);
  return (p) => {
    const out: PointStat[] = [];
    let moves: Params[] = [{}];
    for (const ax of ordered) {
      const i = ax.values.indexOf(p.params[ax.name] as ParamValue);
      const steps = [ax.values[i - 1], p.params[ax.name], ax.values[i + 1]].filter((v): v is ParamValue => v !== undefined);
      moves = moves.flatMap((m) => steps.map((v) => ({ ...m, [ax.name]: v })));
    }
    for (const m of moves) {
      const q = byKey.get(paramsKey({ ...p.params, ...m }));
      if (q && q !== p) out.push(q);
    }
    for (const ax of unordered) {
      for (const v of ax.values) {
        if (v === p.params[ax.name]) continue;
        const q = byKey.get(paramsKey({ ...p.params, [ax.name]: v }));
        if (q) out.push(q);
      }
    }
    return out;
  };
}

/** The watershed zone finder on one surface (see analyzeZones). */
export function findZones(
  points: readonly PointStat[],
  noise: NoiseModel,
  axes: readonly { name: string; values: readonly ParamValue[]; ordered: boolean }[],
): { zones: Zone[]; best: PointStat } {
  const byKey = new Map(points.map((p) => [p.key, p]));
  const neighbours = gridNeighbours(byKey, axes);

  // Watershed by descending goodness with union-find; each component remembers its peak.
  const order = [...points].sort((a, b) => b.goodness - a.goodness);
  const parent = new Map<string, string>();
  const peakOf = new Map<string, PointStat>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(k, r);
    return r;
  };
  const prominence = new Map<string, number | null>();
  const isZone = new Map<string, boolean>();
  for (const p of order) {
    const roots = new Set<string>();
    for (const q of neighbours(p)) if (parent.has(q.key)) roots.add(find(q.key));
    parent.set(p.key, p.key);
    if (roots.size === 0) {
      peakOf.set(p.key, p);
      continue;
    }
    const sorted = [...roots].sort((a, b) => (peakOf.get(b) as PointStat).goodness - (peakOf.get(a) as PointStat).goodness);
    const top = sorted[0] as string;
    parent.set(p.key, top);
    for (const r of sorted.slice(1)) {
      const peak = peakOf.get(r) as PointStat;
      const prom = peak.goodness - p.goodness;
      prominence.set(peak.key, prom);
      isZone.set(peak.key, prom > noise.band(peak, p));
      parent.set(r, top);
    }
  }
  const best = order[0] as PointStat;
  const peaks = order.filter((p) => p === best || isZone.get(p.key) === true);
  // Peaks that never met a better region (a separate island of the grid) count as zones too.
  for (const p of order) if (p !== best && peakOf.has(p.key) && !prominence.has(p.key)) peaks.push(p);
  peaks.sort((a, b) => b.goodness - a.goodness);

  const claimed = new Set<string>();
  const zones: Zone[] = peaks.map((peak, i) => {
    const extent: Params[] = [];
    const queue = [peak];
    const seen = new Set([peak.key]);
    while (queue.length > 0) {
      const p = queue.shift() as PointStat;
      if (claimed.has(p.key) && p !== peak) continue;
      claimed.add(p.key);
      extent.push(p.params);
      for (const q of neighbours(p)) {
        if (seen.has(q.key)) continue;
        seen.add(q.key);
        if (peak.goodness - q.goodness <= noise.band(peak, q)) queue.push(q);
      }
    }
    return { rank: i + 1, peak: peak.params, value: peak.mean, n: peak.n, prominence: prominence.get(peak.key) ?? null, extent };
  });
  return { zones, best };
}

/**
 * Stage 1 `zones`. Returns the input plus `plan` = the grid trials still missing when the grid is not
 * fully evaluated (and `partial` is off); otherwise the input plus `stage_output` (ZonesOutput) and an empty plan.
 */
export function zonesStage(rs: ResultSet, options: ZoneOptions = {}): ResultSet {
  const o: ResolvedZoneOptions = resolveZoneOptions(options);
  const missing = missingPlans(rs, zonesPlan(rs, o));
  if (missing.length > 0 && !o.partial) return needsResults(rs, missing);
  const out = analyzeZones(rs, o);
  if (o.verifyPeaks && missing.length === 0 && out.noise.verifyRuns < 2 * o.maxZones) {
    // Later waves: zones whose peak rests on one run get a second seed, then the zones are found again; at most
    // 2 × maxZones such runs in all (on a flat surface each verified peak falls back and another takes its place).
    const single = out.zones.filter((z) => z.n < 2).slice(0, 2 * o.maxZones - out.noise.verifyRuns);
    const verify = missingPlans(rs, single.map((z) => stagePlan(z.peak as Params, deriveSeed(o.seed, 'zones', 1), o.surveyEpochs, 'zones')));
    if (verify.length > 0) return needsResults(rs, verify);
  }
  return { ...bare(rs), stage_output: { ...out }, plan: missing };
}
