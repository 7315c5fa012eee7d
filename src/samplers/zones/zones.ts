import { HyperzoneError } from '../../errors.js';
import type { ResultSet } from '../../results/resultset.js';
import { deriveSeed } from '../../util/rng.js';
import { Space } from '../../space/space.js';
import type { ParamValue, Params, TrialPlan } from '../../study/types.js';
import { bare, collectPoints, entriesOf, missingPlans, needsResults, paramsKey, stagePlan, valueAt, type PointStat } from './common.js';
import { estimateNoise, type NoiseModel } from './noise.js';
import { resolveZoneOptions, type ResolvedZoneOptions, type Zone, type ZoneOptions } from './options.js';

/** Stage 1's findings, stored as the output document's `stage_output`. */
export interface ZonesOutput {
  readonly stage: 'zones';
  /** The epoch the surface was read at (null: each run's own value). */
  readonly epoch: number | null;
  readonly noise: { readonly source: NoiseModel['source']; readonly sd: number | null };
  /** Zones, best first. */
  readonly zones: readonly Zone[];
  /** The plain grid's best configuration (the baseline stage 4 reruns). */
  readonly gridBest: { readonly params: Params; readonly value: number; readonly n: number };
  /** Evaluated grid points behind the analysis. */
  readonly points: number;
}

/** The ordered list of values each axis takes on the grid. */
export function gridAxes(space: Space, pointsPerAxis: number): { name: string; values: readonly ParamValue[]; ordered: boolean }[] {
  return space.names.map((name) => {
    const d = space.get(name);
    return { name, values: d.values() ?? d.grid(pointsPerAxis), ordered: d.ordered };
  });
}

/** Stage 1's plan: the full factorial grid × `repeats` seeds, at `surveyEpochs` (default `epochs`). */
export function zonesPlan(rs: ResultSet, options: ZoneOptions = {}): TrialPlan[] {
  const o = resolveZoneOptions(options);
  const space = Space.fromSpec(rs.space);
  const plans: TrialPlan[] = [];
  for (const params of space.grid(o.pointsPerAxis)) {
    for (let r = 0; r < o.repeats; r++) plans.push(stagePlan(params, deriveSeed(o.seed, 'zones', r), o.surveyEpochs, 'zones'));
  }
  return plans;
}

/** The value surface at an epoch: every evaluated grid point with its mean value (steps ≤ epoch). */
export function surfaceAt(rs: ResultSet, epoch: number | undefined, options: ZoneOptions = {}): PointStat[] {
  const o = resolveZoneOptions(options);
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
 * set of points within the band of its peak. On a flat noisy surface this gives one zone spanning
 * (nearly) the whole grid, and only rarely a second one where noise happens to exceed the band.
 */
export function analyzeZones(rs: ResultSet, options: ZoneOptions = {}): ZonesOutput {
  const o = resolveZoneOptions(options);
  const space = Space.fromSpec(rs.space);
  const points = surfaceAt(rs, o.maxEpoch, o);
  const at = o.maxEpoch === undefined ? '' : ` at epoch ${o.maxEpoch}`;
  if (points.length < 3) {
    throw new HyperzoneError(
      'STAGE_ERROR',
      `Stage \`zones\` found ${points.length} evaluated grid point(s)${at}; at least 3 are needed to find zones: evaluate the stage-1 plan (${space.gridSize(o.pointsPerAxis)} grid points) and merge the results${o.maxEpoch !== undefined ? ', or lower `maxEpoch`' : ''}`,
    );
  }
  const noise = estimateNoise(points, o);
  const byKey = new Map(points.map((p) => [p.key, p]));
  const axes = gridAxes(space, o.pointsPerAxis);
  const neighbours = (p: PointStat): PointStat[] => {
    const out: PointStat[] = [];
    for (const ax of axes) {
      const cur = p.params[ax.name] as ParamValue;
      const i = ax.values.indexOf(cur);
      const cands = ax.ordered ? [ax.values[i - 1], ax.values[i + 1]] : ax.values.filter((v) => v !== cur);
      for (const v of cands) {
        if (v === undefined) continue;
        const q = byKey.get(paramsKey({ ...p.params, [ax.name]: v }));
        if (q) out.push(q);
      }
    }
    return out;
  };

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
  return {
    stage: 'zones',
    epoch: o.maxEpoch ?? null,
    noise: { source: noise.source, sd: noise.sd },
    zones,
    gridBest: { params: best.params, value: best.mean, n: best.n },
    points: points.length,
  };
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
  return { ...bare(rs), stage_output: { ...out }, plan: missing };
}
