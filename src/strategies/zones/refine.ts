import { HyperzoneError } from '../../core/errors.js';
import type { ResultSet } from '../../results/resultset.js';
import { Space } from '../../space/space.js';
import type { ParamValue, Params, TrialPlan } from '../../core/types.js';
import { deriveSeed } from '../../core/rng.js';
import { bare, collectPoints, entriesOf, missingPlans, needsResults, paramsKey, stagePlan, valueAt } from './common.js';
import { lineSearch, type LineState } from './line-search.js';
import { AUTO_SPREAD_MAX, AUTO_SPREAD_PER, resolveZoneOptions, type LineMethod, type Zone, type ZoneOptions } from './options.js';
import { analyzeZones, gridAxes } from './zones.js';

/** One 1-D search of stage 2: an axis through a zone's peak, the other parameters fixed. */
export interface LineReport {
  readonly zone: number;
  readonly axis: string;
  readonly lo: number;
  readonly hi: number;
  readonly method: LineMethod;
  readonly done: boolean;
  /** The best point found on the line (axis value) and its mean value. */
  readonly best: { readonly x: number; readonly value: number } | null;
  readonly evaluated: readonly { readonly x: number; readonly value: number }[];
}

/** A "potentially optimal" configuration leaving stage 2. */
export interface Candidate {
  readonly params: Params;
  readonly value: number;
  readonly zone: number;
  /** Which line found it ('units', 'batch_size', ...; 'peak' when no line beat the zone's peak). */
  readonly source: string;
}

/** Stage 2's findings. */
export interface RefineOutput {
  readonly stage: 'refine';
  readonly zones: readonly Zone[];
  readonly lines: readonly LineReport[];
  /** Potentially optimal configurations, best first. */
  readonly candidates: readonly Candidate[];
}

/** Stage 2's analysis: the plan still needed, and the findings when every line is done. */
export function analyzeRefine(rs: ResultSet, options: ZoneOptions = {}): { plan: TrialPlan[]; output: RefineOutput | null } {
  const o = resolveZoneOptions(options);
  const zones = (o.zones ?? analyzeZones(rs, o).zones).slice(0, o.maxZones);
  if (zones.length === 0) throw new HyperzoneError('STAGE_ERROR', 'Stage `refine` has no zones to refine: run stage `zones` first or pass `zones`');
  const space = Space.fromSpec(rs.space);
  const { metric, direction } = rs.objective;
  const budget = o.maxEpoch ?? o.surveyEpochs;
  const points = collectPoints(entriesOf(rs, ['zones', 'refine']), (e) => valueAt(e, metric, direction, o.maxEpoch), direction);
  const byKey = new Map(points.map((p) => [p.key, p]));
  const seed = deriveSeed(o.seed, 'refine', 0);
  const plans: TrialPlan[] = [];
  const lines: LineReport[] = [];
  const candidates = new Map<string, Candidate>();
  for (const zone of zones) {
    const peakPoint = byKey.get(paramsKey(zone.peak));
    if (peakPoint) candidates.set(peakPoint.key, { params: zone.peak, value: peakPoint.mean, zone: zone.rank, source: 'peak' });
    for (const ax of gridAxes(space, o.pointsPerAxis)) {
      const start = zone.peak[ax.name];
      if (!ax.ordered || typeof start !== 'number' || !ax.values.every((v) => typeof v === 'number')) continue;
      const vals = ax.values as readonly number[];
      const i = vals.indexOf(start);
      const lo = i > 0 ? (vals[i - 1] as number) : start;
      const hi = i >= 0 && i < vals.length - 1 ? (vals[i + 1] as number) : start;
      if (lo === hi) continue;
      const integer = vals.every(Number.isInteger);
      const at = (x: number): Params => ({ ...zone.peak, [ax.name]: x as ParamValue });
      const state: LineState = lineSearch(o.method, { lo, hi, start, integer, lookup: (x) => byKey.get(paramsKey(at(x)))?.goodness }, o);
      for (const x of state.pending) plans.push(stagePlan(at(x), seed, budget, 'refine', { 'zones.zone': zone.rank, 'zones.axis': ax.name }));
      const sign = direction === 'maximize' ? 1 : -1;
      const evaluated = state.evaluated.map((e) => ({ x: e.x, value: sign * e.goodness }));
      let best: { x: number; value: number } | null = null;
      for (const e of state.evaluated) if (best === null || e.goodness > sign * best.value) best = { x: e.x, value: sign * e.goodness };
      lines.push({ zone: zone.rank, axis: ax.name, lo, hi, method: o.method, done: state.done, best, evaluated });
      if (best) {
        const params = at(best.x);
        const key = paramsKey(params);
        const prev = candidates.get(key);
        if (!prev || prev.source === 'peak') candidates.set(key, { params, value: best.value, zone: zone.rank, source: key === paramsKey(zone.peak) ? 'peak' : ax.name });
      }
    }
  }
  const plan = missingPlans(rs, plans);
  if (plan.length > 0) return { plan, output: null };
  const sign = direction === 'maximize' ? 1 : -1;
  const ranked = keepEveryZone([...candidates.values()].sort((a, b) => sign * (b.value - a.value)), o.maxCandidates);
  const spread = spreadPicks(space, zones, ranked, byKey, o);
  return { plan: [], output: { stage: 'refine', zones, lines, candidates: [...ranked, ...spread] } };
}

/**
 * The best `max` candidates, except that every zone keeps its best one (each zone is worked: a second zone's
 * candidates are not all crowded out by the first zone's many near-equal ones).
 */
export function keepEveryZone(ranked: readonly Candidate[], max: number): Candidate[] {
  const firstOfZone = new Set<Candidate>();
  const seen = new Set<number>();
  for (const c of ranked) {
    if (seen.has(c.zone)) continue;
    seen.add(c.zone);
    firstOfZone.add(c);
  }
  const rest = ranked.filter((c) => !firstOfZone.has(c)).slice(0, Math.max(0, max - firstOfZone.size));
  const keep = new Set([...firstOfZone, ...rest]);
  return ranked.filter((c) => keep.has(c));
}

/** How many spread candidates a zone gets: the number given, or under 'auto' one per AUTO_SPREAD_PER points of its extent (at most AUTO_SPREAD_MAX). */
export function spreadCount(zone: Zone, setting: number | 'auto'): number {
  return setting === 'auto' ? Math.min(AUTO_SPREAD_MAX, Math.floor(zone.extent.length / AUTO_SPREAD_PER)) : setting;
}

/**
 * Up to `spreadCandidates` points of each zone's extent (already evaluated in stage 1), chosen far apart:
 * farthest-point sampling in grid-index coordinates scaled to [0, 1] per axis, starting from the candidates
 * already chosen. Where a zone is wide and flat within noise, its peak is picked by noise; these let stage 3
 * try the zone's other ends at the full budget, where the ranking of a short survey may not hold.
 */
function spreadPicks(
  space: Space,
  zones: readonly Zone[],
  chosen: readonly Candidate[],
  byKey: ReadonlyMap<string, { readonly mean: number }>,
  o: ReturnType<typeof resolveZoneOptions>,
): Candidate[] {
  const axes = gridAxes(space, o.pointsPerAxis);
  const coords = (p: Params): number[] =>
    axes.map((ax) => {
      const i = ax.values.indexOf(p[ax.name] as ParamValue);
      if (i >= 0) return ax.values.length > 1 ? i / (ax.values.length - 1) : 0;
      // Off-grid (a refined point): place it between its grid neighbours.
      const v = p[ax.name];
      const nums = ax.values as readonly number[];
      if (typeof v !== 'number' || !ax.ordered) return 0;
      const j = nums.findIndex((x) => x > v);
      if (j <= 0) return j === 0 ? 0 : 1;
      const a = nums[j - 1] as number, b = nums[j] as number;
      return (j - 1 + (v - a) / (b - a)) / (nums.length - 1);
    });
  const dist = (a: number[], b: number[]): number => Math.hypot(...a.map((x, i) => x - (b[i] as number)));
  const taken = new Set(chosen.map((c) => paramsKey(c.params)));
  const anchors = chosen.map((c) => coords(c.params));
  const out: Candidate[] = [];
  for (const zone of zones) {
    const pool = zone.extent.filter((p) => !taken.has(paramsKey(p)) && byKey.has(paramsKey(p)));
    for (let k = 0; k < spreadCount(zone, o.spreadCandidates) && pool.length > 0; k++) {
      let bestI = 0, bestD = -1;
      pool.forEach((p, i) => {
        const c = coords(p);
        const d = anchors.length === 0 ? 0 : Math.min(...anchors.map((a) => dist(a, c)));
        if (d > bestD) { bestD = d; bestI = i; }
      });
      const [p] = pool.splice(bestI, 1) as [Params];
      taken.add(paramsKey(p));
      anchors.push(coords(p));
      out.push({ params: p, value: (byKey.get(paramsKey(p)) as { mean: number }).mean, zone: zone.rank, source: 'spread' });
    }
  }
  return out;
}

/**
 * Stage 2 `refine`: 1-D searches along each axis through each zone's peak, between the peak's grid
 * neighbours. Returns the input plus `plan` (the points the searches need next; golden and parabola
 * emit a few per round, so run → merge → rerun until the plan is empty), or, when all lines are done,
 * the input plus `stage_output` (RefineOutput: the potentially optimal candidates) and an empty plan.
 */
export function refineStage(rs: ResultSet, options: ZoneOptions = {}): ResultSet {
  const r = analyzeRefine(rs, options);
  if (r.output === null) return needsResults(rs, r.plan);
  return { ...bare(rs), stage_output: { ...r.output }, plan: [] };
}
