import { valuesOf, type Direction, type ObjectiveSpec, type TrialRecord } from '../core/types.js';
import { SCHEDULER_STOP_ATTR } from '../schedulers/scheduler.js';
import { formatNumber, formatParamValue } from './format.js';
import { formatDuration, renderTable } from './text-table.js';

/** One row of a study's results: plain data that the terminal table, CSV export and reports share. */
export interface ResultRow {
  readonly number: number;
  readonly state: TrialRecord['state'];
  readonly params: TrialRecord['params'];
  readonly seed: number;
  readonly budget: number | null;
  readonly value: number | null;
  /** Every objective's value (multi-objective studies; `[value]` otherwise), or null. */
  readonly values: readonly number[] | null;
  readonly bestStep: number | null;
  readonly parameters: number | null;
  readonly seconds: number | null;
  readonly error: string | null;
  /** Why a scheduler stopped the trial, in brief, when it stored why (stopReasonText); else null. */
  readonly stopReason: string | null;
}

/**
 * The stop reason a scheduler stored in a trial's attrs, in brief: the curve-extrapolation scheduler's
 * `controller.stop` (`pruned at step 3: predicted 0.8612 vs best 0.9200, P(better) 0.012`), else the
 * `scheduler.stop` every scheduler's stop leaves (`pruned at step 9 by asha: 0.8123 at rung 9, not in the top 1/3 of
 * the 7 trials there (needs 0.8500)`; a scheduler that gives no reason: `pruned at step 9 by mine`). `show` and JSON
 * `export` give all of it. Null for a trial without one (pruned by its runner, or before these were stored) or one
 * not readable.
 */
export function stopReasonText(attrs: TrialRecord['attrs']): string | null {
  return controllerStopText(attrs['controller.stop']) ?? schedulerStopText(attrs[SCHEDULER_STOP_ATTR]);
}

function controllerStopText(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return null;
  const { step, predicted, incumbent, pBetter } = r as Record<string, unknown>;
  if (typeof step !== 'number' || typeof predicted !== 'number' || typeof incumbent !== 'number' || typeof pBetter !== 'number') return null;
  return `pruned at step ${step}: predicted ${formatValue(predicted)} vs best ${formatValue(incumbent)}, P(better) ${formatNumber(pBetter, { digits: 2, trim: true })}`;
}

function schedulerStopText(r: unknown): string | null {
  if (typeof r !== 'object' || r === null) return null;
  const { scheduler, step, reason } = r as Record<string, unknown>;
  if (typeof scheduler !== 'string' || typeof step !== 'number') return null;
  return `pruned at step ${step} by ${scheduler}${typeof reason === 'string' && reason !== '' ? `: ${reason}` : ''}`;
}

/** Result rows of a study, best first (unfinished and failed trials last). */
export function resultRows(trials: readonly TrialRecord[], direction: Direction): ResultRow[] {
  const rows = trials.map((t): ResultRow => ({
    number: t.number,
    state: t.state,
    params: t.params,
    seed: t.seed,
    budget: t.budget,
    value: t.value,
    values: valuesOf(t),
    bestStep: t.metrics.best_epoch ?? t.metrics.best_step ?? null,
    parameters: t.metrics.parameters ?? null,
    seconds: t.startedAt !== null && t.finishedAt !== null ? (t.finishedAt - t.startedAt) / 1000 : null,
    error: t.error,
    stopReason: t.state === 'pruned' ? stopReasonText(t.attrs) : null,
  }));
  const sign = direction === 'maximize' ? -1 : 1;
  return rows.sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? a.number - b.number : 1) : -1;
    return sign * (a.value - b.value) || a.number - b.number;
  });
}

/**
 * The results table as text: one column per parameter, then parameters count, value, its epoch and time. With the
 * objectives of a multi-objective study, a column for each further objective follows the value (the parameters
 * column already shows a `parameters` objective).
 */
export function renderResults(rows: readonly ResultRow[], metric: string, limit = rows.length, objectives: readonly ObjectiveSpec[] = []): string {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
  const further = objectives.slice(1).map((o, i) => ({ metric: o.metric, index: i + 1 })).filter((o) => o.metric !== 'parameters');
  const headers = ['#', ...names, 'parameters', `best ${metric}`, ...further.map((o) => o.metric), 'epoch', 'time', 'state'];
  const body = rows.slice(0, limit).map((r) => [
    r.number,
    ...names.map((n) => (r.params[n] === undefined ? null : formatParamValue(r.params[n]))),
    r.parameters === null ? null : formatNumber(r.parameters),
    r.value === null ? null : formatValue(r.value),
    ...further.map((o) => (r.values?.[o.index] === undefined ? null : formatValue(r.values[o.index] as number))),
    r.bestStep,
    r.seconds === null ? null : formatDuration(r.seconds),
    r.state === 'failed' && r.error ? `failed: ${r.error.split('\n')[0]?.slice(0, 60)}` : r.stopReason ?? r.state,
  ]);
  const more = rows.length > limit ? `\n... ${rows.length - limit} more (hyperzone export for all)` : '';
  return renderTable(headers, body) + more;
}

/** A metric value in text output: formatNumber (4 significant digits). */
export function formatValue(v: number): string {
  return formatNumber(v);
}
