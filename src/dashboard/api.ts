import type { Storage } from '../storage/storage.js';
import type { ObjectiveSpec, TrialState } from '../core/types.js';
import { MAX_PARETO_POINTS, ParetoAgg, paretoView } from './pareto.js';
import { withTicks } from './ticks.js';
import { parallelOf, SORT_KEYS } from './aggregate.js';
import { makeAxis, type Axis } from './axis.js';
import { BestSoFarAgg, FrontAgg, ImportanceAgg, ParallelOrderAgg, parallelPick, SortedTable, SurfaceAgg, TallyAgg } from './incremental.js';
import { badParam, HttpError } from './http-error.js';
import { StudyCache, type TrialRow } from './study-cache.js';
import type { Tally } from './aggregate.js';
import { zoneOptionsOfStudy, zoneView, type ZoneView } from './zones.js';
import type { ZoneOptions } from '../strategies/zones/index.js';

/** What a handler answers: a status and a JSON body. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

const STATES: readonly TrialState[] = ['waiting', 'running', 'complete', 'pruned', 'failed'];
/** Rows per page of the trial table at most. */
export const MAX_PAGE_SIZE = 500;
/** Lines of parallel coordinates at most. */
export const MAX_PARALLEL = 5000;

/** An integer query parameter in [min, max], or the default when absent; a 400 naming it otherwise. */
function intParam(q: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw badParam(name, raw, `an integer from ${min} to ${max}`);
  return n;
}

/** A query parameter that must be one of `choices`. */
function choiceParam<T extends string>(q: URLSearchParams, name: string, choices: readonly T[], def: T): T {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  if (!(choices as readonly string[]).includes(raw)) throw badParam(name, raw, `one of ${choices.join(', ')}`);
  return raw as T;
}

/** The JSON a table row sends. */
function rowJson(r: TrialRow): Record<string, unknown> {
  return {
    number: r.number, state: r.state, params: r.params, seed: r.seed, budget: r.budget, value: r.value, epoch: r.epoch,
    parameters: r.parameters, seconds: r.seconds, worker: r.workerId, stage: r.stage, finishedAt: r.finishedAt,
  };
}

/**
 * The dashboard's JSON API over one storage, read-only: every answer is aggregated here (counts, a page of the table, a
 * grid for the surface, the improving points of best-so-far), so the browser never gets every trial or every curve.
 * Each study's trials are cached (StudyCache) and refreshed with O(changes) reads when a request comes.
 */
export class DashboardApi {
  private readonly caches = new Map<string, StudyCache>();
  /** Each study's zone options (null: not a zone-strategy study), read once from its stored spec. */
  private readonly zoneOptions = new Map<string, ZoneOptions | null>();
  /** Each study's axes and the distinctVersion they were built at. */
  private readonly axesOf = new WeakMap<StudyCache, { version: number; axes: Axis[] }>();
  private readonly axisBySig = new Map<string, Axis>();
  private readonly axisIds = new WeakMap<Axis, number>();
  private lastAxisId = 0;

  constructor(
    private readonly storage: Storage,
    private readonly options: {
      readonly minRefreshMs?: number;
      readonly now?: () => number;
      /** Trials per storage read of a study's first read (StudyCache). */
      readonly pages?: { readonly first: number; readonly next: number; readonly waiting?: number };
    } = {},
  ) {}

  /** Answers GET `path` (already split from its query); throws nothing the caller must know: errors become 4xx/5xx bodies. */
  async handle(path: string, query: URLSearchParams): Promise<ApiResponse> {
    try {
      return { status: 200, body: await this.route(path, query) };
    } catch (e) {
      if (e instanceof HttpError) return { status: e.status, body: { error: e.message } };
      throw e;
    }
  }

  private async route(path: string, q: URLSearchParams): Promise<unknown> {
    const parts = path.split('/').filter((p) => p !== '').map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        throw new HttpError(400, `Malformed path segment ${JSON.stringify(p)}`);
      }
    });
    if (parts[0] !== 'api') throw new HttpError(404, `No such page: ${path}`);
    if (parts.length === 2 && parts[1] === 'studies') return this.studies();
    if (parts[1] !== 'studies' || parts[2] === undefined) throw new HttpError(404, `No such API endpoint: ${path}`);
    const cache = await this.study(parts[2]);
    const rest = parts.slice(3);
    if (rest.length === 0) return this.summary(cache);
    if (rest.length === 1) {
      switch (rest[0]) {
        case 'trials': return this.trials(cache, q);
        case 'workers': return this.workers(cache);
        case 'best': return this.best(cache, q);
        case 'surface': return this.surface(cache, q);
        case 'importance': return this.importance(cache);
        case 'parallel': return this.parallel(cache, q);
        case 'pareto': return this.pareto(cache, q);
        case 'zones': return this.zones(cache, q);
      }
    }
    if (rest.length === 2 && rest[0] === 'trials') return this.trial(cache, rest[1] as string);
    throw new HttpError(404, `No such API endpoint: ${path}`);
  }

  private async studies(): Promise<unknown> {
    const all = await this.storage.listStudies();
    return {
      studies: all.map((s) => {
        const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
        return { name: s.name, direction: s.direction, metric: s.metric, createdAt: s.createdAt, counts: s.counts, total };
      }),
    };
  }

  /** The study's cache, refreshed; a 404 naming the studies there when it does not exist. */
  private async study(name: string): Promise<StudyCache> {
    let cache = this.caches.get(name);
    if (!cache) {
      const record = await this.storage.getStudy(name);
      if (!record) {
        const names = (await this.storage.listStudies()).map((s) => s.name);
        throw new HttpError(404, `No study named ${JSON.stringify(name)}${names.length ? `; studies here: ${names.join(', ')}` : '; this storage has no studies'}`);
      }
      cache = new StudyCache(this.storage, record, this.options.minRefreshMs, this.options.pages);
      this.caches.set(name, cache);
    }
    await cache.refresh();
    return cache;
  }

  /** Param names: the stored spec's space order first, then any others trials carry. */
  private paramNames(cache: StudyCache): string[] {
    return cache.memoise('params', () => {
      const spec = cache.study.spec as { space?: unknown } | null;
      const names: string[] = spec && typeof spec === 'object' && spec.space && typeof spec.space === 'object' ? Object.keys(spec.space) : [];
      const seen = new Set(names);
      for (const k of cache.distinct.keys()) if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
      return cache.all().length === 0 ? names : names.filter((n) => cache.distinct.has(n));
    });
  }

  /** The grid axis of each param, from its distinct values (kept by the cache as trials arrive), until the next change. */
  private axes(cache: StudyCache): Axis[] {
    const space = (cache.study.spec as { space?: Record<string, { log?: unknown }> } | null)?.space;
    const hint = (p: string): boolean | undefined => {
      const log = space && typeof space === 'object' ? space[p]?.log : undefined;
      return typeof log === 'boolean' ? log : undefined;
    };
    const at = this.axesOf.get(cache);
    if (at !== undefined && at.version === cache.distinctVersion) return at.axes;
    const axes = this.paramNames(cache).map((p) => this.intern(makeAxis(p, [...(cache.distinct.get(p) ?? [])], hint(p))));
    this.axesOf.set(cache, { version: cache.distinctVersion, axes });
    return axes;
  }

  /**
   * The axis already handed out that shows the same cells, else this one: an axis keeps its identity (and the
   * incremental aggregates over it their sums) while new values leave its cells as they were.
   */
  private intern(a: Axis): Axis {
    const sig = JSON.stringify([a.param, a.kind, a.log, a.positions, a.labels]);
    const known = this.axisBySig.get(sig);
    if (known !== undefined) return known;
    if (this.axisBySig.size >= 10_000) this.axisBySig.clear();
    this.axisBySig.set(sig, a);
    return a;
  }

  /** A short name of an axis for aggregate keys. */
  private axisId(a: Axis): number {
    let id = this.axisIds.get(a);
    if (id === undefined) this.axisIds.set(a, (id = ++this.lastAxisId));
    return id;
  }

  private axis(cache: StudyCache, param: string): Axis {
    return this.axes(cache).find((a) => a.param === param) as Axis;
  }

  /** The zone-strategy stages the study's trials carry (the surface's `stage` choices besides `all`). */
  private stagesOf(cache: StudyCache): string[] {
    return cache.memoise('stageNames', () => Object.keys(this.tally(cache).stages));
  }

  /** A param's axis over one stage's trials (so stage 1's surface is its grid, without stage 2's refined values). */
  private stageAxis(cache: StudyCache, param: string, stage: string): Axis {
    if (stage === 'all') return this.axis(cache, param);
    return cache.memoise(`axis:${stage}:${param}`, () => {
      const log = (cache.study.spec as { space?: Record<string, { log?: unknown }> } | null)?.space?.[param]?.log;
      return this.intern(makeAxis(param, cache.all().filter((r) => r.stage === stage).map((r) => r.params[param]), typeof log === 'boolean' ? log : undefined));
    });
  }

  private summary(cache: StudyCache): unknown {
    return cache.memoise('summary', () => {
      const rows = cache.all();
      const { counts, stages, best } = this.tally(cache);
      const params = this.paramNames(cache).map((name) => {
        const vals = [...(cache.distinct.get(name) ?? [])];
        return { name, numeric: vals.length > 0 && vals.every((v) => typeof v === 'number'), distinct: vals.length };
      });
      return {
        name: cache.study.name, direction: cache.study.direction, metric: cache.study.metric, objectives: cache.study.objectives,
        createdAt: cache.study.createdAt,
        version: cache.version, total: rows.length, counts, best: best === null ? null : rowJson(best), params,
        epochs: [...cache.stepSet].sort((a, b) => a - b), stages, loading: cache.loading,
        strategy: this.zoneOptionsOf(cache) !== null ? 'zones' : null,
      };
    });
  }

  /** Counts by state and stage and the best trial, kept current with each read. */
  private tally(cache: StudyCache): Tally {
    return cache.incremental('tally', () => new TallyAgg(cache.study.direction));
  }

  private importance(cache: StudyCache): unknown {
    const axes = this.axes(cache);
    return cache.incremental(`importance:${axes.map((a) => this.axisId(a)).join(',')}`, () => new ImportanceAgg(axes));
  }

  private trials(cache: StudyCache, q: URLSearchParams): unknown {
    const params = this.paramNames(cache);
    const sortKeys = [...SORT_KEYS, ...params.map((p) => `param:${p}`)];
    const sort = choiceParam(q, 'sort', sortKeys, 'number');
    const order = choiceParam(q, 'order', ['asc', 'desc'] as const, sort === 'value' && cache.study.direction === 'maximize' ? 'desc' : 'asc');
    const rawStates = q.get('state');
    let states: TrialState[] | null = null;
    if (rawStates !== null && rawStates !== '') {
      states = rawStates.split(',').map((s) => s.trim()) as TrialState[];
      for (const s of states) if (!STATES.includes(s)) throw badParam('state', rawStates, `a comma-separated list of ${STATES.join(', ')}`);
    }
    const limit = intParam(q, 'limit', 50, 1, MAX_PAGE_SIZE);
    const page = intParam(q, 'page', 1, 1, 1_000_000_000);
    const key = `trials:${sort}:${order}:${states?.join(',') ?? '*'}`;
    const rows = cache.all();
    // Rows are held in number order: that order (the default) needs no index; the others are kept current.
    const byNumber = sort === 'number' && states === null;
    const idx = byNumber ? null : cache.incremental(key, () => new SortedTable(states, sort, order === 'desc'));
    const total = idx === null ? rows.length : idx.length;
    const pages = Math.max(1, Math.ceil(total / limit));
    const from = (page - 1) * limit;
    const to = Math.min(total, page * limit);
    const picked: number[] = [];
    for (let i = from; i < to; i++) picked.push(idx !== null ? idx[i] as number : order === 'desc' ? total - 1 - i : i);
    return {
      total, page, pages, limit, sort, order, states, params, version: cache.version, loading: cache.loading,
      rows: picked.map((i) => rowJson(rows[i] as TrialRow)),
    };
  }

  /** One trial with every metric of every step (its learning curves), read from storage: the only full trial sent. */
  private async trial(cache: StudyCache, raw: string): Promise<unknown> {
    if (!/^\d+$/.test(raw)) throw badParam('trial number', raw, 'an integer ≥ 0');
    const row = cache.get(Number(raw));
    if (!row) throw new HttpError(404, `Study ${JSON.stringify(cache.study.name)} has no trial number ${raw} (it has ${cache.all().length} trials, numbered from 0)`);
    const t = await this.storage.getTrial(row.id);
    if (!t) throw new HttpError(404, `Trial ${raw} is gone from storage`);
    return { ...rowJson(row), metrics: t.metrics, attrs: t.attrs, error: t.error, attempts: t.attempts, steps: t.steps };
  }

  private async workers(cache: StudyCache): Promise<unknown> {
    const now = (this.options.now ?? Date.now)();
    const ws = await this.storage.listWorkers(cache.study.id);
    const running = new Map<string, number[]>();
    for (const r of cache.runningRows()) if (r.state === 'running' && r.workerId !== null) running.set(r.workerId, [...(running.get(r.workerId) ?? []), r.number]);
    return {
      now,
      workers: ws.sort((a, b) => b.heartbeatAt - a.heartbeatAt).map((w) => ({
        id: w.id, host: w.host, pid: w.pid, startedAt: w.startedAt, heartbeatAt: w.heartbeatAt,
        secondsSinceHeartbeat: Math.max(0, (now - w.heartbeatAt) / 1000), running: running.get(w.id) ?? [],
      })),
    };
  }

  private best(cache: StudyCache, q: URLSearchParams): unknown {
    const by = choiceParam(q, 'by', ['epochs', 'seconds'] as const, 'epochs');
    return { by, ...cache.incremental(`best:${by}`, () => new BestSoFarAgg(by, cache.study.direction)) };
  }

  private surface(cache: StudyCache, q: URLSearchParams): unknown {
    const params = this.paramNames(cache);
    const x = q.get('x');
    const y = q.get('y');
    if (x === null || y === null) throw new HttpError(400, 'Expected both `x` and `y`, two of the study\'s params: ' + (params.join(', ') || '(none yet)'));
    if (!params.includes(x)) throw badParam('x', x, `one of the study's params (${params.join(', ')})`);
    if (!params.includes(y)) throw badParam('y', y, `one of the study's params (${params.join(', ')})`);
    if (x === y) throw new HttpError(400, `\`x\` and \`y\` name the same param ${JSON.stringify(x)}; give two different ones`);
    const rawEpoch = q.get('epoch');
    let epoch: number | null = null;
    if (rawEpoch !== null && rawEpoch !== '' && rawEpoch !== 'final') {
      epoch = Number(rawEpoch);
      if (!Number.isFinite(epoch)) throw badParam('epoch', rawEpoch, 'a step number or "final"');
    }
    // `stage`: only the trials one zone-strategy stage ran (stage 1's grid, say), else every trial.
    const stage = choiceParam(q, 'stage', ['all', ...this.stagesOf(cache)], 'all');
    const ax = this.stageAxis(cache, x, stage);
    const ay = this.stageAxis(cache, y, stage);
    const key = `surface:${x}:${y}:${epoch}:${stage}:${this.axisId(ax)}:${this.axisId(ay)}`;
    return cache.memoise(key, () => ({
      ...cache.incremental(key, () => new SurfaceAgg(ax, ay, epoch, stage === 'all' ? null : stage, cache.study.direction)),
      stage,
    }));
  }

  private zoneOptionsOf(cache: StudyCache): ZoneOptions | null {
    const name = cache.study.name;
    if (!this.zoneOptions.has(name)) this.zoneOptions.set(name, zoneOptionsOfStudy(cache.study));
    return this.zoneOptions.get(name) ?? null;
  }

  /**
   * The zone strategy's stages and documents (rebuilt from the study's trials, read whole: a zone study has hundreds),
   * and, given `x` and `y`, the cells of the surface its zones, refined points and selected configuration fall in.
   */
  private async zones(cache: StudyCache, q: URLSearchParams): Promise<unknown> {
    const options = this.zoneOptionsOf(cache);
    if (options === null) throw new HttpError(404, `Study ${JSON.stringify(cache.study.name)} does not use the zone strategy (\`sampler: { type: zones }\`)`);
    const view = await cache.memoise('zones', () => this.storage.listTrials(cache.study.id).then((ts) => zoneView(cache.study, options, ts)));
    const x = q.get('x');
    const y = q.get('y');
    if (x === null && y === null) return { ...view, marks: null };
    const params = this.paramNames(cache);
    if (x === null || !params.includes(x)) throw badParam('x', x ?? '', `one of the study's params (${params.join(', ')})`);
    if (y === null || !params.includes(y)) throw badParam('y', y ?? '', `one of the study's params (${params.join(', ')})`);
    // On the axes of the surface asked with the same `stage`: xi, yi in cells, fractional for a point between grid values.
    const stage = choiceParam(q, 'stage', ['all', ...this.stagesOf(cache)], 'all');
    const ax = this.stageAxis(cache, x, stage);
    const ay = this.stageAxis(cache, y, stage);
    const marks = (view as ZoneView).points
      .map((p) => ({ kind: p.kind, zone: p.zone, value: p.value, label: p.label, xi: ax.positionOf(p.params[x]), yi: ay.positionOf(p.params[y]) }))
      .filter((m) => m.xi !== -1 && m.yi !== -1);
    return { ...view, marks };
  }

  private parallel(cache: StudyCache, q: URLSearchParams): unknown {
    const limit = intParam(q, 'limit', 1000, 10, MAX_PARALLEL);
    const axes = this.axes(cache);
    return cache.memoise(`parallel:${limit}:${axes.map((a) => this.axisId(a)).join(',')}`, () => withTicks({
      ...(() => {
        const order = cache.incremental('parallel', () => new ParallelOrderAgg(cache.study.direction));
        return parallelOf(parallelPick(order, cache.all(), limit), order.done.length, axes, cache.study.metric);
      })(),
      // The size chart's front over every complete trial, not the sample the lines show.
      front: cache.incremental('front', () => new FrontAgg(cache.study.direction)),
    }));
  }

  /**
   * A two-objective study's Pareto front over every complete trial (kept current by ParetoAgg), an even sample of
   * `limit` trials to draw around it, its hypervolume and reference point; a 404 for one objective or three and more.
   */
  private pareto(cache: StudyCache, q: URLSearchParams): unknown {
    const objectives = cache.study.objectives;
    if (objectives.length !== 2) {
      throw new HttpError(404, `Study ${JSON.stringify(cache.study.name)} has ${objectives.length} objective${objectives.length === 1 ? '' : 's'}; the Pareto chart draws a study with two`
        + (objectives.length === 1 ? ' (the size chart shows its objective against trainable parameters)' : ''));
    }
    const limit = intParam(q, 'limit', 2000, 10, MAX_PARETO_POINTS);
    const pair = objectives as unknown as readonly [ObjectiveSpec, ObjectiveSpec];
    return cache.memoise(`pareto:${limit}`, () => paretoView(cache.incremental('pareto', () => new ParetoAgg(pair)), cache.all(), pair, limit));
  }
}
