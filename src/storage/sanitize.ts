/**
 * Text that reaches storage, made safe for every backend in one place. PostgreSQL refuses a NUL byte in TEXT
 * ("invalid byte sequence for encoding UTF8: 0x00"), and JSONB refuses `\u0000` and lone surrogates; a trial's
 * stderr tail or a trainer's attribute can hold either. A refused write used to crash every worker that touched
 * the trial, so each backend stores the cleaned text instead: the same input gives the same stored value on
 * memory, SQLite and PostgreSQL.
 */
import type { Metrics, Outcome, TrialPlan } from '../core/types.js';
import type { NewStudy, WorkerRecord } from './storage.js';

/** Longest error text kept (characters); a longer one keeps its head and tail (the log tail is where the cause is). */
export const MAX_ERROR_CHARS = 64 * 1024;
/** Longest string value kept in attrs, params and specs. */
export const MAX_VALUE_CHARS = 64 * 1024;
/** Longest name, key or id kept (study names, metric names, attribute keys, worker ids, hosts). */
export const MAX_KEY_CHARS = 1024;

const REPLACEMENT = '\uFFFD';
// NUL, or a surrogate (paired or not: the function below keeps the pairs); a cheap test before any copying.
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string every backend stores as it is: NUL and lone surrogates (invalid UTF-16, from a byte stream cut in the
 * middle of a character or decoded wrongly) become U+FFFD, and text longer than `max` keeps its first and last
 * characters around a `…[truncated N chars]…` marker.
 */
export function cleanText(text: string, max: number = MAX_VALUE_CHARS): string {
  let out = text;
  if (out.length > max) {
    const marker = (n: number) => `\n…[truncated ${n} chars]…\n`;
    // The marker's own length depends on N; size the kept parts with the widest N possible.
    const keep = Math.max(0, max - marker(out.length).length);
    const head = Math.floor(keep / 2);
    const tail = keep - head;
    out = out.slice(0, head) + marker(out.length - keep) + (tail > 0 ? out.slice(out.length - tail) : '');
  }
  if (!SUSPECT.test(out)) return out;
  // A cut inside a surrogate pair leaves a lone half, so this runs after truncating.
  return out.replaceAll('\u0000', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
}

/** A name, key or id as stored (see cleanText), capped at MAX_KEY_CHARS. */
export function cleanKey(text: string): string {
  return text.length <= MAX_KEY_CHARS && !SUSPECT.test(text) ? text : cleanText(text, MAX_KEY_CHARS);
}

/** A stored error text: cleaned and capped at MAX_ERROR_CHARS, head and tail kept. */
export function cleanError(text: string | null): string | null {
  return text === null ? null : cleanText(text, MAX_ERROR_CHARS);
}

/** A JSON value with every object key and string cleaned (keys as keys, strings as values); other values as they are. */
export function cleanJson<T>(value: T): T {
  return cleanValue(value) as T;
}

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return value.length <= MAX_VALUE_CHARS && !SUSPECT.test(value) ? value : cleanText(value, MAX_VALUE_CHARS);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => { const c = cleanValue(v); if (c !== v) changed = true; return c; });
    return changed ? out : value;
  }
  // Only plain data reaches storage; anything else is JSON-serialised by the backend as it is.
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const ck = cleanKey(k);
    const cv = cleanValue(v);
    if (ck !== k || cv !== v) changed = true;
    out[ck] = cv;
  }
  return changed ? out : value;
}

/** Metric names cleaned (values are numbers). */
export function cleanMetrics(metrics: Metrics): Metrics {
  let changed = false;
  for (const k of Object.keys(metrics)) if (cleanKey(k) !== k) { changed = true; break; }
  if (!changed) return metrics;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) out[cleanKey(k)] = v;
  return out;
}

/** A trial plan with its params and attrs cleaned (so its dedupe key is computed from what is stored). */
export function cleanPlan(plan: TrialPlan): TrialPlan {
  const params = cleanJson(plan.params);
  const attrs = plan.attrs === undefined ? undefined : cleanJson(plan.attrs);
  if (params === plan.params && attrs === plan.attrs) return plan;
  return attrs === undefined ? { params, seed: plan.seed, budget: plan.budget } : { params, seed: plan.seed, budget: plan.budget, attrs };
}

/** A new study with its name, metric and spec cleaned. */
export function cleanStudy(study: NewStudy): NewStudy {
  return {
    name: cleanKey(study.name), direction: study.direction, metric: cleanKey(study.metric), spec: cleanJson(study.spec),
    ...(study.objectives ? { objectives: study.objectives.map((o) => ({ metric: cleanKey(o.metric), direction: o.direction })) } : {}),
  };
}

/** An outcome with its error and metric names cleaned. */
export function cleanOutcome(outcome: Outcome): Outcome {
  switch (outcome.state) {
    case 'failed': {
      const error = cleanError(outcome.error) as string;
      const metrics = outcome.metrics === undefined ? undefined : cleanMetrics(outcome.metrics);
      if (error === outcome.error && metrics === outcome.metrics) return outcome;
      return { ...outcome, error, ...(metrics !== undefined ? { metrics } : {}) };
    }
    default: {
      if (outcome.metrics === undefined) return outcome;
      const metrics = cleanMetrics(outcome.metrics);
      return metrics === outcome.metrics ? outcome : { ...outcome, metrics };
    }
  }
}

/** A worker record with its id and host cleaned. */
export function cleanWorker<W extends Pick<WorkerRecord, 'id' | 'host'>>(worker: W): W {
  const id = cleanKey(worker.id);
  const host = cleanKey(worker.host);
  return id === worker.id && host === worker.host ? worker : { ...worker, id, host };
}
