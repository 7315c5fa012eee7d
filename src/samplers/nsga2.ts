import { InputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { valuesOf, type Direction, type ParamValue, type Params, type TrialRecord } from '../core/types.js';
import type { Distribution } from '../space/distribution.js';
import type { Space } from '../space/space.js';
import { crowdingDistance, nonDominatedSort, toMinimization } from '../stats/pareto.js';
import type { Sampler, SamplerContext } from './sampler.js';

/** Options of the NSGA-II sampler; defaults follow Optuna 3.1's NSGAIISampler where it has the option. */
export interface Nsga2Options {
  /** Trials per generation (default 50). */
  readonly population?: number;
  /** `uniform` (each param from either parent; default, as Optuna) or `sbx` (simulated binary crossover on ordered params). */
  readonly crossover?: 'uniform' | 'sbx';
  /** Chance that a child is a crossover of two parents rather than a copy of one (default 0.9). */
  readonly crossoverProb?: number;
  /** Chance that each param of a child is drawn afresh from its distribution (default 1 / the child's param count). */
  readonly mutationProb?: number;
  /** Uniform crossover: chance of taking each param from the second parent (default 0.5). */
  readonly swappingProb?: number;
  /** SBX distribution index: larger keeps children nearer their parents (default 20). */
  readonly eta?: number;
}

/** Trial attr holding the generation a trial belongs to. */
export const NSGA2_GENERATION_ATTR = 'nsga2.generation';

/** A member of a parent population: a trial with its point (minimisation form), front rank and crowding distance. */
interface Member {
  readonly trial: TrialRecord;
  readonly point: readonly number[];
  readonly rank: number;
  readonly crowding: number;
}

/**
 * NSGA-II (Deb et al. 2002) as a stateless sampler, in the manner of Optuna's NSGAIISampler: each proposal carries its
 * generation as a trial attr; generation 0 is random; a generation is full once it has `population` trials (running
 * ones included), and the next one breeds from the parent population, which is rebuilt from the trials: elitist
 * selection (non-dominated fronts, the last one cut by crowding distance) over the previous parents and each finished
 * generation in turn. Parents are chosen by binary tournament on (rank, crowding distance); a child takes each param
 * from either parent (uniform crossover, or SBX on the unit scale of ordered params) and each param mutates (a fresh
 * draw from its distribution) with probability 1/params. Conditional params follow their parents: a param is set
 * only where the child's own values make it active, inherited from a parent that has it, else drawn.
 * Works with one objective as well (then it is a plain elitist genetic algorithm).
 */
export class Nsga2Sampler implements Sampler {
  readonly name = 'nsga2';
  private readonly o: Required<Omit<Nsga2Options, 'mutationProb'>> & { mutationProb: number | null };

  constructor(options: Nsga2Options = {}) {
    const population = options.population ?? 50;
    if (!Number.isInteger(population) || population < 2) throw new InputError(`Expected \`population\` to be an integer ≥ 2, got ${population}`);
    const prob = (name: string, v: number | undefined, d: number): number => {
      const x = v ?? d;
      if (!(x >= 0 && x <= 1)) throw new InputError(`Expected \`${name}\` to be in [0, 1], got ${x}`);
      return x;
    };
    const crossover = options.crossover ?? 'uniform';
    if (crossover !== 'uniform' && crossover !== 'sbx') throw new InputError(`Expected \`crossover\` to be uniform or sbx, got ${JSON.stringify(crossover)}`);
    const eta = options.eta ?? 20;
    if (!(eta >= 0)) throw new InputError(`Expected \`eta\` to be ≥ 0, got ${eta}`);
    this.o = {
      population, crossover, eta,
      crossoverProb: prob('crossoverProb', options.crossoverProb, 0.9),
      swappingProb: prob('swappingProb', options.swappingProb, 0.5),
      mutationProb: options.mutationProb === undefined ? null : prob('mutationProb', options.mutationProb, 0),
    };
  }

  sample(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } {
    const directions = ctx.directions && ctx.directions.length > 0 ? ctx.directions : [ctx.direction];
    const generation = generationOf(ctx.trials, this.o.population);
    const attrs = { [NSGA2_GENERATION_ATTR]: generation };
    const parents = generation === 0 ? [] : this.parentPopulation(ctx.trials, generation, directions);
    if (parents.length === 0) return { params: ctx.space.sample(ctx.rng), attrs };
    const a = tournament(parents, ctx.rng);
    let b = tournament(parents, ctx.rng);
    for (let i = 0; i < 3 && b === a && parents.length > 1; i++) b = tournament(parents, ctx.rng);
    const cross = ctx.rng.next() < this.o.crossoverProb;
    return { params: this.child(ctx.space, a.trial.params, b.trial.params, cross, ctx.rng), attrs };
  }

  /**
   * The parents of `generation`: starting from none, each earlier generation's finished trials join the current
   * parents, and the best `population` of them (by front, then crowding distance) become the next parents.
   */
  parentPopulation(trials: readonly TrialRecord[], generation: number, directions: readonly Direction[]): Member[] {
    const byGen = new Map<number, TrialRecord[]>();
    for (const t of trials) {
      const g = t.attrs[NSGA2_GENERATION_ATTR];
      const v = valuesOf(t);
      if (typeof g !== 'number' || g >= generation || t.state !== 'complete' || v === null || v.length !== directions.length) continue;
      const list = byGen.get(g);
      if (list) list.push(t); else byGen.set(g, [t]);
    }
    let parents: Member[] = [];
    for (let g = 0; g < generation; g++) {
      const pool = [...parents.map((m) => m.trial), ...(byGen.get(g) ?? [])];
      parents = select(pool, directions, this.o.population);
    }
    return parents;
  }

  private child(space: Space, a: Params, b: Params, cross: boolean, rng: Rng): Params {
    const out: Record<string, ParamValue> = {};
    const names = space.order;
    const drawn: string[] = [];
    for (const name of names) {
      if (!space.isActive(name, out)) continue;
      const d = space.get(name);
      const va = a[name] !== undefined && d.contains(a[name] as ParamValue) ? a[name] as ParamValue : undefined;
      const vb = b[name] !== undefined && d.contains(b[name] as ParamValue) ? b[name] as ParamValue : undefined;
      let v: ParamValue | undefined;
      if (va !== undefined && vb !== undefined) v = cross ? this.crossParam(d, va, vb, rng) : va;
      else v = va ?? (cross ? vb : undefined);
      if (v === undefined) {
        // A define-by-run study's objective draws a param neither parent has; a declared space draws it here.
        if (space.partial) continue;
        v = d.sample(rng);
      }
      out[name] = v;
      drawn.push(name);
    }
    const pm = this.o.mutationProb ?? 1 / Math.max(1, drawn.length);
    for (const name of drawn) {
      if (out[name] !== undefined && space.isActive(name, out) && rng.next() < pm) out[name] = space.get(name).sample(rng);
    }
    // A mutated parent can switch a branch on: its children are drawn, then anything now inactive is dropped.
    if (!space.partial) for (const name of names) if (out[name] === undefined && space.isActive(name, out)) out[name] = space.get(name).sample(rng);
    return space.prune(out);
  }

  private crossParam(d: Distribution, a: ParamValue, b: ParamValue, rng: Rng): ParamValue {
    if (this.o.crossover === 'sbx' && d.ordered && a !== b) {
      if (rng.next() < 0.5) return a;
      return d.fromUnit(sbx(d.toUnit(a), d.toUnit(b), this.o.eta, rng));
    }
    return rng.next() < this.o.swappingProb ? b : a;
  }
}

/**
 * The generation the next trial belongs to: the latest generation among the trials, or the one after it once it holds
 * `population` trials (finished or not); 0 before any trial of this sampler.
 */
export function generationOf(trials: readonly TrialRecord[], population: number): number {
  let latest = -1;
  let count = 0;
  for (const t of trials) {
    const g = t.attrs[NSGA2_GENERATION_ATTR];
    if (typeof g !== 'number') continue;
    if (g > latest) { latest = g; count = 1; } else if (g === latest) count++;
  }
  if (latest < 0) return 0;
  return count >= population ? latest + 1 : latest;
}

/** Elitist selection: whole fronts while they fit, the next front cut by crowding distance (ties by trial number). */
function select(pool: readonly TrialRecord[], directions: readonly Direction[], size: number): Member[] {
  const points = pool.map((t) => toMinimization(valuesOf(t) as readonly number[], directions));
  const fronts = nonDominatedSort(points);
  const chosen: { i: number; rank: number }[] = [];
  for (const [rank, front] of fronts.entries()) {
    if (chosen.length + front.length <= size) {
      for (const i of front) chosen.push({ i, rank });
      if (chosen.length === size) break;
      continue;
    }
    const cd = crowdingDistance(points, front);
    const order = front.map((i, k) => ({ i, d: cd[k] as number }))
      .sort((x, y) => y.d - x.d || (pool[x.i] as TrialRecord).number - (pool[y.i] as TrialRecord).number);
    for (const { i } of order.slice(0, size - chosen.length)) chosen.push({ i, rank });
    break;
  }
  // Crowding distances within the selected population, per front, for the tournaments.
  const members: Member[] = [];
  const byRank = new Map<number, number[]>();
  for (const c of chosen) { const l = byRank.get(c.rank); if (l) l.push(c.i); else byRank.set(c.rank, [c.i]); }
  for (const [rank, idx] of byRank) {
    const cd = crowdingDistance(points, idx);
    idx.forEach((i, k) => members.push({ trial: pool[i] as TrialRecord, point: points[i] as number[], rank, crowding: cd[k] as number }));
  }
  return members.sort((x, y) => x.trial.number - y.trial.number);
}

/** Binary tournament by the crowded comparison: lower rank wins, then larger crowding distance. */
function tournament(pop: readonly Member[], rng: Rng): Member {
  const a = pop[Math.floor(rng.next() * pop.length)] as Member;
  const b = pop[Math.floor(rng.next() * pop.length)] as Member;
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  return b.crowding > a.crowding ? b : a;
}

/** One child of simulated binary crossover (Deb & Agrawal 1995) on [0, 1], with the bounded spread of Deb's NSGA-II code. */
export function sbx(x1: number, x2: number, eta: number, rng: Rng): number {
  if (Math.abs(x1 - x2) < 1e-14) return x1;
  const y1 = Math.min(x1, x2), y2 = Math.max(x1, x2);
  const r = rng.next();
  const spread = (beta: number): number => {
    const alpha = 2 - beta ** -(eta + 1);
    return r <= 1 / alpha ? (r * alpha) ** (1 / (eta + 1)) : (1 / (2 - r * alpha)) ** (1 / (eta + 1));
  };
  const c1 = 0.5 * (y1 + y2 - spread(1 + (2 * y1) / (y2 - y1)) * (y2 - y1));
  const c2 = 0.5 * (y1 + y2 + spread(1 + (2 * (1 - y2)) / (y2 - y1)) * (y2 - y1));
  const c = rng.next() < 0.5 ? c1 : c2;
  return Math.min(1, Math.max(0, c));
}
