import { InputError } from '../../core/errors.js';
import type { DistributionSpec } from '../../space/distribution.js';
import type { ResultSet } from '../../results/resultset.js';
import type { Direction, Metrics, ObjectiveSpec, ParamValue, Params, StudyRecord, TrialRecord, TrialState } from '../../core/types.js';

/** One trial as the charts see it, whether it came from storage or from a result set. */
export interface ReportTrial {
  /** Position in order: the trial number, or the entry's index in a result set. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  /** The objective value; null unless complete. */
  readonly value: number | null;
  /** Every objective's value of a complete trial of a multi-objective study, in `ReportData.objectives` order. */
  readonly values?: readonly number[];
  /** Trainable parameters (the final metric `parameters`), when the trainer reported them. */
  readonly parameters?: number;
  readonly steps: readonly { readonly step: number; readonly metrics: Metrics }[];
  /** The zone-strategy stage that planned it, when known. */
  readonly stage?: string;
}

/** What every chart reads. */
export interface ReportData {
  /** Where it came from, for the page header ("study mnist in hyperzone.db", "run2-4-confirm.json"). */
  readonly source: string;
  readonly metric: string;
  readonly direction: Direction;
  /** Every objective of a multi-objective study (the first is `metric`, `direction`); absent for one objective. */
  readonly objectives?: readonly ObjectiveSpec[];
  readonly space: Readonly<Record<string, DistributionSpec>>;
  readonly trials: readonly ReportTrial[];
  /** Whether numbers are trial numbers (storage) or entry positions (result set). */
  readonly order: 'trial' | 'entry';
  /** A result set's `stage_output`, when it has one. */
  readonly stageOutput?: Readonly<Record<string, unknown>>;
  /** The result set itself (zone charts recompute from it), when the input was one. */
  readonly resultSet?: ResultSet;
}

/** `{ parameters }` when the final metrics report a finite trainable-parameter count, else nothing. */
function sizeOf(metrics: Metrics): { parameters?: number } {
  const p = metrics['parameters'];
  return typeof p === 'number' && Number.isFinite(p) ? { parameters: p } : {};
}

/** Report data from a validated result set: every entry is a complete trial, in file order. */
export function dataFromResultSet(rs: ResultSet, source: string): ReportData {
  return {
    source,
    metric: rs.objective.metric,
    direction: rs.objective.direction,
    space: rs.space,
    order: 'entry',
    trials: rs.entries.map((e, i) => ({
      number: i, state: 'complete', params: e.params, value: e.value, steps: e.steps,
      ...(e.stage !== undefined ? { stage: e.stage } : {}), ...sizeOf(e.metrics),
    })),
    ...(rs.stage_output !== undefined ? { stageOutput: rs.stage_output } : {}),
    resultSet: rs,
  };
}

/**
 * Report data from a stored study and its trials (all states; waiting and running ones are kept but have no value); `resultSet`: its complete trials
 * as one, for the zone charts.
 */
export function dataFromStudy(
  study: StudyRecord,
  trials: readonly TrialRecord[],
  space: Readonly<Record<string, DistributionSpec>>,
  source: string,
  resultSet?: ResultSet,
): ReportData {
  const multi = (study.objectives?.length ?? 1) > 1;
  return {
    ...(resultSet ? { resultSet } : {}),
    source,
    metric: study.metric,
    direction: study.direction,
    ...(multi ? { objectives: study.objectives } : {}),
    space,
    order: 'trial',
    trials: [...trials]
      .sort((a, b) => a.number - b.number)
      .map((t) => {
        const stage = t.attrs['zones.stage'];
        const values = t.state === 'complete' && multi ? t.values : undefined;
        return {
          number: t.number, state: t.state, params: t.params, value: t.state === 'complete' ? t.value : null,
          ...(values ? { values } : {}), ...sizeOf(t.metrics),
          steps: t.steps.map((s) => ({ step: s.step, metrics: s.metrics })), ...(typeof stage === 'string' ? { stage } : {}),
        };
      }),
  };
}

/** Param names: the space's first (in its order), then any others the trials carry (e.g. a schedule param outside the space). */
export function paramNames(data: ReportData): string[] {
  const names = Object.keys(data.space);
  const seen = new Set(names);
  for (const t of data.trials) for (const k of Object.keys(t.params)) if (!seen.has(k)) {
    seen.add(k);
    names.push(k);
  }
  return names;
}

/** Whether a param is ordered (numeric): by its distribution, else by every value trials give it being a number. */
export function isOrderedParam(data: ReportData, name: string): boolean {
  const d = data.space[name];
  if (d) return d.type !== 'categorical' || d.choices.every((c) => typeof c === 'number');
  const vs = data.trials.map((t) => t.params[name]).filter((v) => v !== undefined);
  return vs.length > 0 && vs.every((v) => typeof v === 'number');
}

/** The first two ordered params of the space, or the ones named; a name not in the data or not ordered is an InputError naming the flag. */
export function pickAxes(data: ReportData, x?: string, y?: string): { x: string; y: string } | null {
  const names = paramNames(data);
  const check = (flag: string, v: string): void => {
    if (!names.includes(v)) throw new InputError(`\`${flag} ${v}\` is not a parameter of this ${data.order === 'trial' ? 'study' : 'result set'}; its parameters are ${names.join(', ') || '(none)'}`);
    if (!isOrderedParam(data, v)) throw new InputError(`\`${flag} ${v}\` is not an ordered (numeric) parameter; the heatmap needs two of ${names.filter((n) => isOrderedParam(data, n)).join(', ') || '(none)'}`);
  };
  if (x !== undefined) check('--x', x);
  if (y !== undefined) check('--y', y);
  if (x !== undefined && x === y) throw new InputError(`\`--x\` and \`--y\` name the same parameter ${JSON.stringify(x)}; give two different ones`);
  const ordered = names.filter((n) => isOrderedParam(data, n) && n !== x && n !== y);
  const px = x ?? ordered.shift();
  const py = y ?? ordered.find((n) => n !== px);
  return px !== undefined && py !== undefined ? { x: px, y: py } : null;
}

/** A value as short text for labels and tooltips. */
export function showValue(v: ParamValue | number | undefined): string {
  if (v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toPrecision(4) : String(Number(v.toPrecision(5)));
}

/** A configuration as "units=512 batch_size=64". */
export function paramsText(p: Params): string {
  return Object.entries(p).map(([k, v]) => `${k}=${showValue(v)}`).join(' ');
}
