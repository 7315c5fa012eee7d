import { InputError } from '../core/errors.js';
import type { Direction, Params, TrialRecord } from '../core/types.js';
import { paramsKey } from '../core/keys.js';
import type { Rng } from '../core/rng.js';
import type { Space } from '../space/space.js';
import type { Surrogate } from '../controller/surrogate.js';
import { normalCdf } from '../stats/distributions.js';
import { AutoSampler } from './auto.js';
import type { Sampler, SamplerContext } from './sampler.js';

/** Options of the controller sampler. */
export interface ControllerOptions {
  /** The meta-trained surrogate (`hyperzone controller train`), trained on studies of other tasks over this space. */
  readonly model: Surrogate;
  /** Trials proposed from the surrogate before `after` takes over (default 10). */
  readonly warm?: number;
  /** Random candidates scored per proposal (default 1000), plus 100 drawn near the best. */
  readonly candidates?: number;
  /** The study's trial budget (passed to the default `after`, `auto`). */
  readonly trials?: number;
  /** The sampler after the warm start (default `new AutoSampler({ trials })`); it sees the warm trials as its own. */
  readonly after?: Sampler & Partial<Pick<AutoSampler, 'returnedConfiguration'>>;
  /** This task's descriptors, when the model was trained with some (others are encoded as missing). */
  readonly descriptors?: Readonly<Record<string, number>>;
  /** Lengthscale of the within-study correction, in unit-cube distance (default 0.2·√(params)). */
  readonly lengthscale?: number;
  /**
   * Maps a trial's value to the scale the model was trained on (default: none), e.g. `Math.log10` for a model of
   * log errors; it must be increasing, so the direction holds.
   */
  readonly transform?: (value: number) => number;
  /**
   * Keep the surrogate after the warm start as the prior mean of the default `after`'s GP phase (`auto`'s GP models
   * the study's values less a least-squares line on the surrogate's prediction; see gp-trend.ts). Default false.
   * Only with the default `after`; a given `after` can take `surrogatePriorMean` itself.
   */
  readonly priorMean?: boolean;
  /**
   * How the warm trials are chosen: `surrogate` (default), by expected improvement on the corrected surrogate; or
   * `portfolio`, the configurations of a portfolio learned from the earlier studies (src/controller/portfolio.ts), in
   * order, skipping those already tried or outside the space; past its end, by the surrogate.
   */
  readonly start?: 'surrogate' | 'portfolio';
  /** The portfolio for `start: portfolio` (default: the model file's). */
  readonly portfolio?: readonly Params[];
}

/**
 * The surrogate's predicted final value (no curve) as a function of the params, for a GP's prior mean
 * (`GpOptions.priorMean`): in the model's units, which `transform` maps the study's values to (increasing, so the
 * ranking agrees). Cached by configuration.
 */
export function surrogatePriorMean(model: Surrogate, descriptors: Readonly<Record<string, number>> = {}): (params: Params) => number {
  const cache = new Map<string, number>();
  return (params) => {
    const key = paramsKey(params);
    let m = cache.get(key);
    if (m === undefined) {
      m = model.predict(params, [], 1, descriptors).mean;
      if (cache.size > 50_000) cache.clear();
      cache.set(key, m);
    }
    return m;
  };
}

/**
 * Why `model` cannot propose in `space` for `direction` (null when it can): it must know the same params, every value
 * of the study's domain must lie in the model's domain (the network was trained on the model's unit scale), and the
 * direction must agree (the surrogate predicts the objective as it was stored).
 */
export function modelSpaceProblem(model: Surrogate, space: Space, direction: Direction): string | null {
  const ms = model.space;
  const missing = space.names.filter((n) => !ms.names.includes(n));
  const extra = ms.names.filter((n) => !space.names.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    return `it was trained on params ${ms.names.join(', ')}; the space has ${space.names.join(', ')}`;
  }
  for (const n of space.names) {
    const d = space.get(n);
    const md = ms.get(n);
    const vals = d.values();
    const spec = d.toJSON();
    const ends = vals ?? ('low' in spec ? [spec.low, spec.high] : []);
    const out = ends.find((v) => !md.contains(v));
    if (out !== undefined) return `param \`${n}\` = ${JSON.stringify(out)} lies outside the model's domain ${JSON.stringify(md.toJSON())}`;
  }
  if (model.direction !== direction) return `it predicts an objective to ${model.direction}, the study's is to ${direction}`;
  return null;
}

/** A scored candidate: the posterior of its final value and its expected improvement. */
interface Scored { params: Params; mu: number; sd: number; ei: number }

/** Expected improvement over `best` (maximising) of N(mu, sd²). */
function expectedImprovement(mu: number, sd: number, best: number): number {
  if (!(sd > 0)) return Math.max(0, mu - best);
  const z = (mu - best) / sd;
  return (mu - best) * normalCdf(z) + sd * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * The learned controller as a sampler (issue 16): a warm start from a surrogate meta-trained on other tasks. For the
 * first `warm` trials it proposes by expected improvement on the surrogate's prediction of the final value (no
 * curve), corrected by this study's finished trials: the residuals (observed − predicted) are modelled by a Gaussian
 * process whose prior is the surrogate's own uncertainty — covariance b² + s(x)·s(x')·exp(−|x − x'|² / 2ℓ²), s the
 * ensemble's predictive sd, b² the spread of final values across the training tasks (an unknown task-level offset) —
 * so one observation shifts the whole prediction to this task's level and nearby ones also its shape. Running trials
 * count as observed at their predicted value (kriging believer), so parallel workers spread out. Then `after`
 * (default `auto`) takes over with the warm trials in its history. Stateless: the phase follows from the trial count.
 */
export class ControllerSampler implements Sampler {
  readonly name = 'controller';
  readonly warm: number;
  readonly candidates: number;
  readonly after: NonNullable<ControllerOptions['after']>;
  private readonly model: Surrogate;
  private readonly descriptors: Readonly<Record<string, number>>;
  private readonly paramColumns: number;
  private readonly lengthscale: number;
  private readonly offsetVariance: number;
  private readonly cache = new Map<string, { x: number[]; mu: number; sd: number }>();
  private readonly transform: (value: number) => number;
  private readonly portfolio: readonly Params[] | null;

  constructor(options: ControllerOptions) {
    const warm = options.warm ?? 10;
    if (!Number.isInteger(warm) || warm < 0) throw new InputError(`Expected \`warm\` to be an integer ≥ 0, got ${warm}`);
    const candidates = options.candidates ?? 1000;
    if (!Number.isInteger(candidates) || candidates < 1) throw new InputError(`Expected \`candidates\` to be an integer ≥ 1, got ${candidates}`);
    this.warm = warm;
    this.candidates = candidates;
    this.model = options.model;
    const known = new Set(this.model.encoder.descriptors);
    for (const [k, v] of Object.entries(options.descriptors ?? {})) {
      if (!known.has(k)) throw new InputError(`Expected \`descriptors\` to name the model's descriptors (${[...known].join(', ') || 'none'}), got \`${k}\``);
      if (!Number.isFinite(v)) throw new InputError(`Expected \`descriptors.${k}\` to be a finite number, got ${v}`);
    }
    this.descriptors = options.descriptors ?? {};
    const names = new Set(this.model.space.names);
    this.paramColumns = this.model.encoder.groups.filter((g) => names.has(g)).length;
    this.lengthscale = options.lengthscale ?? 0.2 * Math.sqrt(this.model.space.names.length);
    if (!(this.lengthscale > 0)) throw new InputError(`Expected \`lengthscale\` > 0, got ${this.lengthscale}`);
    this.offsetVariance = this.model.encoder.yStd ** 2;
    this.transform = options.transform ?? ((v) => v);
    const start = options.start ?? 'surrogate';
    if (start !== 'surrogate' && start !== 'portfolio') throw new InputError(`Expected \`start\` to be surrogate or portfolio, got ${JSON.stringify(start)}`);
    this.portfolio = start === 'portfolio' ? options.portfolio ?? this.model.json.portfolio?.params ?? null : null;
    if (start === 'portfolio' && (this.portfolio === null || this.portfolio.length === 0)) {
      throw new InputError('Expected a portfolio for `start: portfolio`: the model file has none (it is learned by `hyperzone controller train` from trials of at least two tasks)');
    }
    if (options.priorMean === true && options.after !== undefined) {
      throw new InputError('Expected `priorMean` only with the default `after` (give your own `after` a GP with `priorMean: surrogatePriorMean(model)`)');
    }
    this.after = options.after ?? new AutoSampler({
      ...(options.trials !== undefined ? { trials: options.trials } : {}),
      ...(options.priorMean === true ? { gp: { priorMean: surrogatePriorMean(this.model, this.descriptors) } } : {}),
    });
  }

  /** Whether the next proposal (after these trials) comes from the surrogate. */
  inWarmPhase(trials: readonly TrialRecord[]): boolean {
    return trials.length < this.warm;
  }

  sample(ctx: SamplerContext): { params: Params; attrs?: Readonly<Record<string, unknown>> } | null {
    if (!this.inWarmPhase(ctx.trials)) return this.after.sample?.(ctx) ?? null;
    const problem = modelSpaceProblem(this.model, ctx.space, ctx.direction);
    if (problem !== null) throw new InputError(`The controller's model cannot propose here: ${problem}`);
    const next = this.nextFromPortfolio(ctx.space, ctx.trials);
    if (next !== null) return { params: next.params, attrs: { 'controller.warm': { portfolio: next.rank } } };
    const best = this.propose(ctx.space, ctx.direction, ctx.trials, ctx.rng);
    return { params: best.params, attrs: { 'controller.warm': { predicted: best.mu, sd: best.sd, ei: best.ei } } };
  }

  /** The first portfolio member not yet tried and inside the space, with its rank (0-based); null past the end. */
  private nextFromPortfolio(space: Space, trials: readonly TrialRecord[]): { params: Params; rank: number } | null {
    if (this.portfolio === null) return null;
    const seen = new Set(trials.map((t) => paramsKey(t.params)));
    for (let i = 0; i < this.portfolio.length; i++) {
      const p = this.portfolio[i] as Params;
      if (!seen.has(paramsKey(p)) && space.contains(p)) return { params: p, rank: i };
    }
    return null;
  }

  /** What `after` returns when it can choose (auto's pick), else the best observed. */
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null {
    if (this.after.returnedConfiguration) return this.after.returnedConfiguration(trials, space, direction);
    const sign = direction === 'maximize' ? 1 : -1;
    let best: TrialRecord | null = null;
    for (const t of trials) if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value) && (best === null || sign * t.value > sign * (best.value as number))) best = t;
    return best ? { params: best.params } : null;
  }

  /** The surrogate's prediction (no curve) at a configuration, with its encoded params; cached. */
  private prior(params: Params): { x: number[]; mu: number; sd: number } {
    const key = paramsKey(params);
    let p = this.cache.get(key);
    if (!p) {
      const x = this.model.encoder.encode(params, [], 1, this.descriptors);
      const m = this.model.predict(params, [], 1, this.descriptors);
      p = { x: x.slice(0, this.paramColumns), mu: m.mean, sd: Math.sqrt(m.variance) };
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(key, p);
    }
    return p;
  }

  /** The warm-start proposal: the candidate with the largest EI under the corrected surrogate. */
  propose(space: Space, direction: Direction, trials: readonly TrialRecord[], rng: Rng): Scored {
    const sign = direction === 'maximize' ? 1 : -1; // internally everything is maximised
    const seen = new Set<string>();
    const obs: { x: number[]; sd: number; r: number; y: number; params: Params }[] = [];
    const pending: Params[] = [];
    for (const t of trials) {
      seen.add(paramsKey(t.params));
      if (!space.contains(t.params)) continue;
      const v = t.state === 'complete' && t.value !== null ? this.transform(t.value) : NaN;
      if (Number.isFinite(v)) {
        const p = this.prior(t.params);
        obs.push({ x: p.x, sd: p.sd, r: sign * (v - p.mu), y: sign * v, params: t.params });
      } else if (t.state === 'running' || t.state === 'waiting') pending.push(t.params);
    }
    const gp = new ResidualGp(this.lengthscale, this.offsetVariance);
    gp.fit(obs);
    // Kriging believer: a running trial is taken as observed at its current posterior mean (residual unchanged).
    if (pending.length > 0) {
      const believed = pending.map((params) => {
        const p = this.prior(params);
        return { x: p.x, sd: p.sd, r: gp.predict(p.x, p.sd).mean };
      });
      gp.fit([...obs, ...believed]);
    }
    const score = (params: Params): Scored => {
      const p = this.prior(params);
      const post = gp.predict(p.x, p.sd);
      return { params, mu: sign * (sign * p.mu + post.mean), sd: post.sd, ei: 0 };
    };
    const cands: Scored[] = [];
    const add = (params: Params): void => {
      const k = paramsKey(params);
      if (seen.has(k)) return;
      seen.add(k);
      cands.push(score(params));
    };
    for (let i = 0; i < this.candidates; i++) add(space.sample(rng));
    // Local candidates around the best observed and the best predicted configurations.
    const centres = [...obs].sort((a, b) => b.y - a.y).slice(0, 5).map((o) => o.params);
    centres.push(...[...cands].sort((a, b) => sign * b.mu - sign * a.mu).slice(0, 5).map((c) => c.params));
    for (const c of centres) {
      const u = space.toUnit(c);
      for (let j = 0; j < 10; j++) add(space.fromUnit(u.map((v) => v + 0.08 * rng.normal())));
    }
    if (cands.length === 0) throw new InputError('The controller found no configuration it has not proposed already');
    const incumbent = obs.length > 0 ? Math.max(...obs.map((o) => o.y)) : Math.max(...cands.map((c) => sign * c.mu));
    let top = cands[0] as Scored;
    for (const c of cands) {
      c.ei = expectedImprovement(sign * c.mu, c.sd, incumbent);
      if (c.ei > top.ei) top = c;
    }
    return top;
  }
}

/**
 * A Gaussian process on the surrogate's residuals with a non-stationary prior: k(x, x') = b² + s(x)s(x')ρ(x, x'),
 * ρ a squared-exponential correlation, plus a nugget of 1 % of the mean s² on observations. Small (the warm start
 * sees at most `warm` trials): a dense Cholesky solve.
 */
class ResidualGp {
  private xs: number[][] = [];
  private sds: number[] = [];
  private alpha: number[] = [];
  private chol: number[][] = [];
  constructor(private readonly lengthscale: number, private readonly offsetVariance: number) {}

  private k(a: readonly number[], sa: number, b: readonly number[], sb: number): number {
    let d2 = 0;
    for (let i = 0; i < a.length; i++) d2 += ((a[i] as number) - (b[i] as number)) ** 2;
    return this.offsetVariance + sa * sb * Math.exp(-d2 / (2 * this.lengthscale * this.lengthscale));
  }

  fit(obs: readonly { x: number[]; sd: number; r: number }[]): void {
    const n = obs.length;
    this.xs = obs.map((o) => o.x);
    this.sds = obs.map((o) => o.sd);
    if (n === 0) { this.alpha = []; this.chol = []; return; }
    const nugget = 0.01 * obs.reduce((s, o) => s + o.sd * o.sd, 0) / n;
    const K = obs.map((a, i) => obs.map((b, j) => this.k(a.x, a.sd, b.x, b.sd) + (i === j ? nugget : 0)));
    const L = K.map(() => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = (K[i] as number[])[j] as number;
        for (let m = 0; m < j; m++) s -= ((L[i] as number[])[m] as number) * ((L[j] as number[])[m] as number);
        (L[i] as number[])[j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / ((L[j] as number[])[j] as number);
      }
    }
    this.chol = L;
    this.alpha = this.solve(obs.map((o) => o.r));
  }

  /** Solves K a = b with the Cholesky factor. */
  private solve(b: readonly number[]): number[] {
    const L = this.chol;
    const n = b.length;
    const z = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = b[i] as number;
      for (let m = 0; m < i; m++) s -= ((L[i] as number[])[m] as number) * (z[m] as number);
      z[i] = s / ((L[i] as number[])[i] as number);
    }
    const a = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = z[i] as number;
      for (let m = i + 1; m < n; m++) s -= ((L[m] as number[])[i] as number) * (a[m] as number);
      a[i] = s / ((L[i] as number[])[i] as number);
    }
    return a;
  }

  /** The posterior of the residual at x (prior sd s): mean, and the sd of the final value (offset included). */
  predict(x: readonly number[], s: number): { mean: number; sd: number } {
    const n = this.xs.length;
    const prior = this.offsetVariance + s * s;
    if (n === 0) return { mean: 0, sd: Math.sqrt(prior) };
    // Forward substitution only: var = prior − |L⁻¹k|².
    const kx = this.xs.map((xi, i) => this.k(x, s, xi, this.sds[i] as number));
    let mean = 0;
    for (let i = 0; i < n; i++) mean += (kx[i] as number) * (this.alpha[i] as number);
    const L = this.chol;
    const z = new Array<number>(n).fill(0);
    let q = 0;
    for (let i = 0; i < n; i++) {
      let t = kx[i] as number;
      for (let m = 0; m < i; m++) t -= ((L[i] as number[])[m] as number) * (z[m] as number);
      z[i] = t / ((L[i] as number[])[i] as number);
      q += (z[i] as number) ** 2;
    }
    return { mean, sd: Math.sqrt(Math.max(prior - q, 1e-12)) };
  }
}
