import type { Metrics, ObjectiveSpec, Outcome, StepReport, TrialRecord, TrialState } from '../core/types.js';
import { StorageError } from '../core/errors.js';
import { cleanOutcome } from './sanitize.js';
import type { TrialDigest, TrialDigestQuery } from './storage.js';

/** Freezes a value and everything reachable from it, so snapshots cannot be mutated by callers. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // Arrays by index and objects by key, stepping over primitives without a call: a study's worth of digests (a
    // million step numbers and values) is frozen without copying each array's values first.
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') deepFreeze(v);
      }
    } else {
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v !== null && typeof v === 'object') deepFreeze(v);
      }
    }
  }
  return value;
}

/** Parses a JSON column, naming the column when the stored text is corrupt. */
export function parseJson<T>(text: string | null | undefined, column: string, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new StorageError(`Stored \`${column}\` is not valid JSON: ${String(text).slice(0, 80)}`, { cause: e });
  }
}

/** The columns a finished trial gets from its outcome. */
export interface FinishFields {
  readonly state: TrialState;
  readonly value: number | null;
  /** Every objective's value, stored only for a multi-objective outcome (null: `[value]`). */
  readonly values: readonly number[] | null;
  readonly metrics: Metrics;
  readonly error: string | null;
  /** Attributes to merge (the pruned step). */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** Maps an outcome to the stored fields (text cleaned, see sanitize.ts); a pruned trial records its step as attr `pruned_step`. */
export function finishFields(raw: Outcome): FinishFields {
  const outcome = cleanOutcome(raw);
  switch (outcome.state) {
    case 'complete':
      return { state: 'complete', value: outcome.value, values: checkValues(outcome.value, outcome.values), metrics: outcome.metrics ?? {}, error: null, attrs: {} };
    case 'pruned':
      return { state: 'pruned', value: outcome.value ?? null, values: null, metrics: outcome.metrics ?? {}, error: null, attrs: { pruned_step: outcome.step } };
    case 'failed':
      return { state: 'failed', value: null, values: null, metrics: outcome.metrics ?? {}, error: outcome.error, attrs: {} };
  }
}

/** Message stored on a trial failed because its worker was lost too often. */
export function lostWorkerError(workerId: string | null, attempts: number): string {
  return `worker ${workerId ?? '(unknown)'} lost (no heartbeat) after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** Sorts step reports by step. */
export function sortSteps(steps: StepReport[]): StepReport[] {
  return steps.sort((a, b) => a.step - b.step);
}

/** Checks a trial id/study id argument; storage keys are positive integers. */
export function checkId(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new StorageError(`Expected \`${field}\` to be an integer ≥ 1, got ${String(value)}`);
}

/** Checks a trial-count limit argument (createRunningTrialIfBelow). */
export function checkMaxTrials(maxTrials: number): void {
  if (!Number.isSafeInteger(maxTrials) || maxTrials < 0) throw new StorageError(`Expected \`maxTrials\` to be an integer ≥ 0, got ${String(maxTrials)}`);
}

/** Checks a trial number argument (createRunningTrialAt). */
export function checkNumber(number: number): void {
  if (!Number.isSafeInteger(number) || number < 0) throw new StorageError(`Expected \`number\` to be an integer ≥ 0, got ${String(number)}`);
}

/** Checks the arguments of listTrialsPage: a trial number ≥ 0 and a page size ≥ 1. */
export function checkPage(fromNumber: number, limit: number): void {
  if (!Number.isSafeInteger(fromNumber) || fromNumber < 0) throw new StorageError(`Expected \`fromNumber\` to be an integer ≥ 0, got ${String(fromNumber)}`);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new StorageError(`Expected \`limit\` to be an integer ≥ 1, got ${String(limit)}`);
}

/** Checks the arguments of bestTrials: n an integer ≥ 0, a known direction; returns the states to rank. */
export function checkBestQuery(query: { n: number; direction: string; states?: readonly TrialState[] }): readonly TrialState[] {
  if (!Number.isSafeInteger(query.n) || query.n < 0) throw new StorageError(`Expected \`n\` to be an integer ≥ 0, got ${String(query.n)}`);
  if (query.direction !== 'maximize' && query.direction !== 'minimize') throw new StorageError(`Expected \`direction\` to be maximize or minimize, got ${String(query.direction)}`);
  return query.states ?? ['complete'];
}

/**
 * The best `n` of trials already ranked per state (each list best first, valueless last): merged in the order
 * bestTrials promises. Backends read each state's top n through an index and merge here, instead of sorting a study.
 */
export function mergeBest(lists: readonly (readonly TrialRecord[])[], n: number, direction: 'maximize' | 'minimize'): TrialRecord[] {
  const sign = direction === 'maximize' ? -1 : 1;
  return lists.flat().sort((a, b) =>
    (a.value === null || b.value === null ? (a.value === null ? 1 : 0) - (b.value === null ? 1 : 0) : sign * (a.value - b.value))
    || a.number - b.number).slice(0, n);
}

/** Checks a step argument. */
export function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) throw new StorageError(`Expected \`step\` to be an integer ≥ 0, got ${String(step)}`);
}

/** Builds a frozen TrialRecord. */
export function freezeTrial(t: TrialRecord): TrialRecord {
  return deepFreeze(t);
}

/** Checks the arguments of listTrialDigests: fromNumber and limit integers ≥ 0, ids integers, metrics names. */
export function checkDigestQuery(query: TrialDigestQuery): void {
  if (!Number.isSafeInteger(query.fromNumber) || query.fromNumber < 0) throw new StorageError(`Expected \`fromNumber\` to be an integer ≥ 0, got ${String(query.fromNumber)}`);
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) throw new StorageError(`Expected \`limit\` to be an integer ≥ 0, got ${String(query.limit)}`);
  for (const id of query.ids ?? []) if (!Number.isSafeInteger(id)) throw new StorageError(`Expected \`ids\` to hold integers, got ${String(id)}`);
  if (!Array.isArray(query.metrics) || query.metrics.some((m) => typeof m !== 'string')) throw new StorageError(`Expected \`metrics\` to be a list of metric names, got ${JSON.stringify(query.metrics)}`);
}

/** A metric's value as a digest keeps it: a finite number, else null. */
export function digestValue(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A trial record reduced to a digest (the memory backend; the others reduce in their query). */
export function digestOf(t: TrialRecord, metrics: readonly string[]): TrialDigest {
  const { steps, ...rest } = t;
  return deepFreeze<TrialDigest>({
    ...rest,
    steps: steps.map((s) => s.step),
    curves: metrics.map((m) => steps.map((s) => digestValue(s.metrics[m]))),
  });
}

/** An outcome's value vector as stored: null for one objective; otherwise finite numbers whose first is `value`. */
function checkValues(value: number, values: readonly number[] | undefined): readonly number[] | null {
  if (values === undefined || values.length === 1 && values[0] === value) return null;
  if (values.length === 0 || values[0] !== value || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new StorageError(`Expected \`values\` to be finite numbers starting with \`value\` (${value}), got ${JSON.stringify(values)}`);
  }
  return [...values];
}

/** The value vector a stored row reads as: the stored vector, else `[value]`, else null. */
export function readValues(value: number | null, stored: readonly number[] | null): readonly number[] | null {
  return stored ?? (value === null ? null : [value]);
}

/**
 * The objectives a new study is stored with: null for one objective (the `metric`/`direction` columns say it all),
 * else the list, whose first entry must be `metric` and `direction`.
 */
export function storedObjectives(study: { metric: string; direction: string; objectives?: readonly ObjectiveSpec[] }): readonly ObjectiveSpec[] | null {
  const o = study.objectives;
  if (o === undefined || o.length === 1 && o[0]?.metric === study.metric && o[0].direction === study.direction) return null;
  if (o.length === 0 || o[0]?.metric !== study.metric || o[0].direction !== study.direction) {
    throw new StorageError(`Expected \`objectives[0]\` to be the study's \`metric\` and \`direction\` (${study.metric}, ${study.direction}), got ${JSON.stringify(o[0] ?? null)}`);
  }
  for (const [i, x] of o.entries()) {
    if (x.direction !== 'maximize' && x.direction !== 'minimize') throw new StorageError(`Expected \`objectives[${i}].direction\` to be maximize or minimize, got ${JSON.stringify(x.direction)}`);
  }
  return o.map((x) => ({ metric: x.metric, direction: x.direction }));
}

/** The objectives a stored study reads as: the stored list, else its one metric and direction. */
export function readObjectives(metric: string, direction: string, stored: readonly ObjectiveSpec[] | null): readonly ObjectiveSpec[] {
  return stored ?? [{ metric, direction: direction as ObjectiveSpec['direction'] }];
}
