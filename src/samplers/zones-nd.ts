import { InputError } from '../core/errors.js';
import type { Space } from '../space/space.js';
import type { Direction, ParamValue, Params, TrialRecord } from '../core/types.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { SOBOL_MAX_DIM, SobolSequence } from './sobol.js';
import { paramsKey } from '../core/keys.js';
import { NeighbourLists } from './zones-nd-graph.js';

/** Options of the n-dimensional zone sampler. */
export interface ZonesNdOptions {
  /** Total evaluations, re-evaluations included (the study's trial limit). */
  readonly trials: number;
  /** Stage-1 (Sobol) evaluations (default max(2·d + 2, 35 % of `trials`)). */
  readonly initial?: number;
  /** k of the k-nearest-neighbour graph zones are found on (default min(2·d, 10)). */
  readonly neighbours?: number;
  /** Zones refined, best first (default 3). */
  readonly maxZones?: number;
  /** Configurations re-evaluated in the confirmation stage (default 3). */
  readonly confirmTop?: number;
  /** Extra evaluations of each confirmed configuration (default 2). */
  readonly confirmRepeats?: number;
  /** A fixed noise band in objective units; by default the pooled spread of repeated points (0 before any). */
  readonly noiseBand?: number;
  /** Seed of the Sobol shift; by default drawn at the first proposal and kept in `nzones.seed`. */
  readonly seed?: number;
}

/** A configuration with all its completed evaluations. */
export interface ZonePoint {
  readonly key: string;
  readonly params: Params;
  readonly unit: readonly number[];
  readonly values: readonly number[];
  readonly mean: number;
  /** sign·mean: larger is better in both directions. */
  readonly goodness: number;
}

/** A zone: a local optimum of the evaluated points on the neighbourhood graph. */
export interface NdZone {
  readonly rank: number;
  readonly peak: ZonePoint;
  /** How far the peak stands above the saddle to a better zone (null for the best zone and islands). */
  readonly prominence: number | null;
}

type Stage = 'explore' | 'refine' | 'confirm';
const STEP_LADDER = [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125];

/**
 * The zone strategy on any space, as a sampler: (1) a Sobol design; (2) zones = noise-aware local optima
 * of the evaluated points on a k-nearest-neighbour graph in unit space (a watershed, as
 * src/strategies/zones/zones.ts does on grids); (3) refinement, round-robin over the zones, by one-axis
 * moves around each zone's peak (Distribution.neighbours on finite axes, ±δ on continuous ones with δ
 * halved once every move at a level is evaluated: a 1-D search per axis); (4) confirmation: the last
 * confirmTop·confirmRepeats trials re-evaluate the best configurations (same params), so noisy
 * objectives are judged on means. State is recomputed from the trials and their `nzones.*` attrs, so
 * resumes and several workers need nothing else. `returnedConfiguration` gives its choice.
 */
export class ZonesNdSampler implements Sampler {
  readonly name = 'zones-nd';
  private readonly o: Required<Omit<ZonesNdOptions, 'initial' | 'neighbours' | 'noiseBand' | 'seed'>> & Pick<ZonesNdOptions, 'initial' | 'neighbours' | 'noiseBand' | 'seed'>;
  private seqCache: { seed: number; dim: number; seq: SobolSequence } | null = null;
  /** The k-nearest-neighbour lists of the last proposal's points, extended as points arrive (see NeighbourLists). */
  private graph: { space: Space; lists: NeighbourLists } | null = null;

  constructor(options: ZonesNdOptions) {
    const check = (name: string, v: number | undefined, min: number): void => {
      if (v !== undefined && (!Number.isInteger(v) || v < min)) throw new InputError(`Expected \`${name}\` to be an integer ≥ ${min}, got ${v}`);
    };
    check('trials', options.trials, 1);
    check('initial', options.initial, 1);
    check('neighbours', options.neighbours, 1);
    check('maxZones', options.maxZones, 1);
    check('confirmTop', options.confirmTop, 1);
    check('confirmRepeats', options.confirmRepeats, 0);
    if (options.noiseBand !== undefined && !(options.noiseBand >= 0)) throw new InputError(`Expected \`noiseBand\` to be ≥ 0, got ${options.noiseBand}`);
    this.o = { maxZones: 3, confirmTop: 3, confirmRepeats: 2, ...options };
  }

  /** The next evaluation: a Sobol point, a refinement move, or a repeat of a top configuration. */
  sample(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } | null {
    const n = ctx.trials.length;
    if (n >= this.o.trials) return null;
    const d = ctx.space.names.length;
    const initial = this.o.initial ?? Math.max(2 * d + 2, Math.round(0.35 * this.o.trials));
    const confirmBudget = Math.min(this.o.confirmTop * this.o.confirmRepeats, Math.max(0, this.o.trials - initial));
    const points = collectZonePoints(ctx.space, ctx.direction, ctx.trials);
    if (n >= this.o.trials - confirmBudget && points.length > 0) return this.confirm(points, ctx.trials);
    const explored = ctx.trials.filter((t) => t.attrs['nzones.stage'] === 'explore').length;
    if (explored >= initial && points.length >= 3) {
      const move = this.refine(ctx, points);
      if (move) return move;
    }
    return this.explore(ctx);
  }

  /** The configuration the strategy returns: the best mean among re-evaluated ones, else the best single value. */
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params; mean: number; n: number } | null {
    const pts = collectZonePoints(space, direction, trials);
    if (pts.length === 0) return null;
    const repeated = pts.filter((p) => p.values.length >= 2);
    const pool = repeated.length > 0 ? repeated : pts;
    const best = pool.reduce((a, b) => (b.goodness > a.goodness ? b : a));
    return { params: best.params, mean: best.mean, n: best.values.length };
  }

  /** Zones of the evaluated points (exposed for reports and tests). */
  zones(ctx: Pick<SamplerContext, 'space' | 'direction' | 'trials'>, points: readonly ZonePoint[] = collectZonePoints(ctx.space, ctx.direction, ctx.trials)): NdZone[] {
    const k = this.o.neighbours ?? Math.min(2 * ctx.space.names.length, 10);
    if (this.graph?.space !== ctx.space || this.graph.lists.k !== k) this.graph = { space: ctx.space, lists: new NeighbourLists(ctx.space, k) };
    return zonesOnGraph(points, this.graph.lists.update(points), this.o.noiseBand ?? pooledBand(points)).slice(0, this.o.maxZones);
  }

  private explore(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } {
    let index = 0;
    let seed: number | undefined = this.o.seed;
    for (const t of ctx.trials) {
      const i = t.attrs['nzones.index'];
      if (typeof i === 'number' && i + 1 > index) index = i + 1;
      const s = t.attrs['nzones.seed'];
      if (seed === undefined && typeof s === 'number') seed = s;
    }
    seed ??= ctx.rng.seed();
    const names = ctx.space.names;
    const dim = Math.min(names.length, SOBOL_MAX_DIM);
    if (this.seqCache?.seed !== seed || this.seqCache.dim !== dim) this.seqCache = { seed, dim, seq: new SobolSequence(dim, seed) };
    const known = new Set(ctx.trials.map((t) => keyOf(t.params)));
    let params: Params = {};
    // Finite spaces: skip points already evaluated (a few tries; a repeat is harmless).
    for (let tries = 0; tries < 32; tries++, index++) {
      const u = this.seqCache.seq.point(index);
      for (let j = dim; j < names.length; j++) u.push(ctx.rng.next());
      const p: Record<string, ParamValue> = {};
      names.forEach((name, j) => {
        const dist = ctx.space.get(name);
        const x = u[j] as number;
        const vals = dist.values();
        p[name] = vals !== null && vals.length > 0 ? (vals[Math.min(vals.length - 1, Math.floor(x * vals.length))] as ParamValue) : dist.fromUnit(x);
      });
      params = p;
      if (!known.has(paramsKey(p))) break;
    }
    return { params, attrs: { 'nzones.stage': 'explore' satisfies Stage, 'nzones.index': index, 'nzones.seed': seed } };
  }

  private refine(ctx: SamplerContext, points: readonly ZonePoint[]): { params: Params; attrs: Readonly<Record<string, unknown>> } | null {
    const zones = this.zones(ctx, points);
    if (zones.length === 0) return null;
    const refined = ctx.trials.filter((t) => t.attrs['nzones.stage'] === 'refine').length;
    const knownUnits = ctx.trials.map((t) => unitOf(ctx.space, t.params));
    const isKnown = (u: readonly number[]): boolean => {
      for (const k of knownUnits) {
        let same = true;
        for (let j = 0; j < k.length && same; j++) same = Math.abs((k[j] as number) - (u[j] as number)) < 1e-9;
        if (same) return true;
      }
      return false;
    };
    // Round-robin over zones; a zone with no untried move is skipped.
    for (let z = 0; z < zones.length; z++) {
      const zone = zones[(refined + z) % zones.length] as NdZone;
      const move = this.nextMove(ctx.space, zone.peak, isKnown, refined);
      if (move) return { params: move.params, attrs: { 'nzones.stage': 'refine' satisfies Stage, 'nzones.zone': zone.rank, 'nzones.axis': move.axis, 'nzones.delta': move.delta } };
    }
    return null;
  }

  /** The first untried one-axis move around a peak: finite axes by neighbours, continuous ones on a halving ladder. */
  private nextMove(
    space: Space,
    peak: ZonePoint,
    isKnown: (u: readonly number[]) => boolean,
    offset: number,
  ): { params: Params; axis: string; delta: number | null } | null {
    const names = space.names;
    for (const delta of [null, ...STEP_LADDER]) {
      for (let a = 0; a < names.length; a++) {
        const name = names[(a + offset) % names.length] as string;
        const dist = space.get(name);
        const v = peak.params[name] as ParamValue;
        const finite = dist.values() !== null;
        if ((delta === null) !== finite) continue;
        const cands = finite
          ? dist.neighbours(v)
          : [dist.toUnit(v) - (delta as number), dist.toUnit(v) + (delta as number)].filter((u) => u >= 0 && u <= 1).map((u) => dist.fromUnit(u));
        for (const c of cands) {
          const p = { ...peak.params, [name]: c };
          if (!isKnown(space.toUnit(p))) return { params: p, axis: name, delta };
        }
      }
    }
    return null;
  }

  private confirm(points: readonly ZonePoint[], trials: readonly TrialRecord[]): { params: Params; attrs: Readonly<Record<string, unknown>> } {
    const top = [...points].sort((a, b) => b.goodness - a.goodness).slice(0, this.o.confirmTop);
    const want = 1 + this.o.confirmRepeats;
    // Evaluations under way count, so parallel workers do not all repeat the same configuration.
    const pending = new Map<string, number>();
    for (const t of trials) if (t.state === 'running' || t.state === 'waiting') pending.set(paramsKey(t.params), (pending.get(paramsKey(t.params)) ?? 0) + 1);
    const count = (p: ZonePoint): number => p.values.length + (pending.get(p.key) ?? 0);
    // Fewest evaluations first, then the better mean; once all have `want`, the best gets more.
    const short = top.filter((p) => count(p) < want).sort((a, b) => count(a) - count(b) || b.goodness - a.goodness);
    const pick = short[0] ?? (top[0] as ZonePoint);
    return { params: pick.params, attrs: { 'nzones.stage': 'confirm' satisfies Stage, 'nzones.repeat': pick.values.length } };
  }
}

/**
 * What collectZonePoints and the sampler need of a trial's params, cached by params object and space: a study's
 * finished trials come back as the same read-only snapshots from proposal to proposal (TrialView), so each is
 * checked, projected, keyed and placed in the unit cube once rather than at every proposal.
 */
interface ParamsInfo {
  /** The params projected on the space's names, or null when outside the space. */
  readonly inSpace: Params | null;
  readonly key: string;
  /** Its unit coordinates (null outside the space: unitOf computes them when asked). */
  readonly unit: readonly number[] | null;
}
const infoBySpace = new WeakMap<Space, WeakMap<Params, ParamsInfo>>();
function infoOf(space: Space, params: Params): ParamsInfo {
  let bySpace = infoBySpace.get(space);
  if (bySpace === undefined) infoBySpace.set(space, (bySpace = new WeakMap()));
  let info = bySpace.get(params);
  if (info === undefined) {
    let inSpace: Params | null = null;
    if (space.contains(params)) {
      const p: Record<string, ParamValue> = {};
      for (const n of space.names) p[n] = params[n] as ParamValue;
      inSpace = p;
    }
    info = { inSpace, key: inSpace ? paramsKey(inSpace) : '', unit: inSpace ? space.toUnit(inSpace) : null };
    bySpace.set(params, info);
  }
  return info;
}
/** paramsKey, cached by params object. */
const keys = new WeakMap<Params, string>();
function keyOf(params: Params): string {
  let k = keys.get(params);
  if (k === undefined) keys.set(params, (k = paramsKey(params)));
  return k;
}
/** space.toUnit, cached by params object; callers must not modify the result. */
function unitOf(space: Space, params: Params): readonly number[] {
  return infoOf(space, params).unit ?? space.toUnit(params);
}

/** Completed trials grouped by configuration, with means. */
export function collectZonePoints(space: Space, direction: Direction, trials: readonly TrialRecord[]): ZonePoint[] {
  const sign = direction === 'maximize' ? 1 : -1;
  const by = new Map<string, { params: Params; unit: readonly number[]; values: number[] }>();
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
    const info = infoOf(space, t.params);
    if (info.inSpace === null) continue;
    const e = by.get(info.key);
    if (e) e.values.push(t.value);
    else by.set(info.key, { params: info.inSpace, unit: info.unit as readonly number[], values: [t.value] });
  }
  return [...by].map(([key, e]) => {
    const mean = e.values.reduce((a, b) => a + b, 0) / e.values.length;
    return { key, params: e.params, unit: e.unit, values: e.values, mean, goodness: sign * mean };
  });
}

/** Two standard errors of a difference, from the pooled spread of repeated points (0 when none). */
function pooledBand(points: readonly ZonePoint[]): (a: ZonePoint, b: ZonePoint) => number {
  let ss = 0, df = 0;
  for (const p of points) {
    if (p.values.length < 2) continue;
    for (const v of p.values) ss += (v - p.mean) ** 2;
    df += p.values.length - 1;
  }
  const sd = df > 0 ? Math.sqrt(ss / df) : 0;
  return (a, b) => 2 * sd * Math.sqrt(1 / a.values.length + 1 / b.values.length);
}

/**
 * Zones on a symmetrised k-nearest-neighbour graph: points merged from best to worst (union-find
 * watershed); a peak that meets a better region is a zone when its prominence over the saddle exceeds
 * the noise band; the best point and peaks of separate islands always are. Best first.
 */
export function findZones(space: Space, points: readonly ZonePoint[], k: number, band: number | ((a: ZonePoint, b: ZonePoint) => number)): NdZone[] {
  return zonesOnGraph(points, new NeighbourLists(space, k).update(points), band);
}

/** findZones on given k-nearest-neighbour lists (NeighbourLists' for these points). */
function zonesOnGraph(points: readonly ZonePoint[], lists: readonly (readonly number[])[], band: number | ((a: ZonePoint, b: ZonePoint) => number)): NdZone[] {
  const bandOf = typeof band === 'number' ? () => band : band;
  const n = points.length;
  if (n === 0) return [];
  // The symmetrised graph, each neighbour once, in the order a Set would keep (first added first).
  const adj: number[][] = points.map(() => []);
  const link = (a: number[], j: number): void => { if (!a.includes(j)) a.push(j); };
  for (let i = 0; i < n; i++) {
    for (const j of lists[i] as readonly number[]) { link(adj[i] as number[], j); link(adj[j] as number[], i); }
  }
  const order = points.map((_, i) => i).sort((a, b) => (points[b] as ZonePoint).goodness - (points[a] as ZonePoint).goodness);
  const parent = new Int32Array(n).fill(-1);
  const peakOf = new Int32Array(n).fill(-1);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    return r;
  };
  const prominence = new Map<number, number>();
  const zone = new Set<number>();
  for (const i of order) {
    const roots = new Set<number>();
    for (const j of adj[i] as number[]) if ((parent[j] as number) >= 0) roots.add(find(j));
    parent[i] = i;
    if (roots.size === 0) { peakOf[i] = i; zone.add(i); continue; }
    const sorted = [...roots].sort((a, b) => (points[peakOf[b] as number] as ZonePoint).goodness - (points[peakOf[a] as number] as ZonePoint).goodness);
    const top = sorted[0] as number;
    parent[i] = top;
    for (const r of sorted.slice(1)) {
      const pk = peakOf[r] as number;
      const peak = points[pk] as ZonePoint, saddle = points[i] as ZonePoint;
      const prom = peak.goodness - saddle.goodness;
      prominence.set(pk, prom);
      if (!(prom > bandOf(peak, saddle))) zone.delete(pk);
      parent[r] = top;
    }
  }
  return [...zone]
    .sort((a, b) => (points[b] as ZonePoint).goodness - (points[a] as ZonePoint).goodness)
    .map((i, r) => ({ rank: r + 1, peak: points[i] as ZonePoint, prominence: prominence.get(i) ?? null }));
}
