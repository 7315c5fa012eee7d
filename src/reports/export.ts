import type { StudyRecord, TrialRecord } from '../core/types.js';
import { stopReasonText } from './results.js';

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV's variable columns: every param and final metric name, in order of first appearance over the trials, and
 * `values` (the value vector as a JSON array) when a trial has several objective values (a multi-objective study),
 * and last `stop_reason` when a scheduler stopped some trial and said why (`pruned at step 9 by asha: …`).
 */
export class CsvColumns {
  private readonly params = new Set<string>();
  private readonly metrics = new Set<string>();
  private multi = false;
  private stops = false;

  /** Takes the names of more trials (call in trial order). */
  add(trials: readonly TrialRecord[]): void {
    for (const t of trials) for (const k of Object.keys(t.params)) this.params.add(k);
    for (const t of trials) for (const k of Object.keys(t.metrics)) this.metrics.add(k);
    if (trials.some((t) => (t.values?.length ?? 1) > 1)) this.multi = true;
    if (trials.some((t) => t.state === 'pruned' && stopReasonText(t.attrs) !== null)) this.stops = true;
  }

  /** The header line (with its newline). */
  header(): string {
    const values = this.multi ? ['values'] : [];
    return csvLine(['number', 'state', ...this.params, 'seed', 'budget', 'value', ...values, ...this.metrics, 'steps', 'started_at', 'finished_at', 'seconds', 'error', ...(this.stops ? ['stop_reason'] : [])]);
  }

  /** One line per trial (each with its newline). */
  rows(trials: readonly TrialRecord[]): string {
    const params = [...this.params];
    const metrics = [...this.metrics];
    let out = '';
    for (const t of trials) {
      out += csvLine([
        t.number, t.state, ...params.map((p) => t.params[p]), t.seed, t.budget, t.value, ...(this.multi ? [t.values] : []),
        ...metrics.map((m) => t.metrics[m]), t.steps.length,
        t.startedAt === null ? null : new Date(t.startedAt).toISOString(),
        t.finishedAt === null ? null : new Date(t.finishedAt).toISOString(),
        t.startedAt !== null && t.finishedAt !== null ? (t.finishedAt - t.startedAt) / 1000 : null,
        t.error, ...(this.stops ? [t.state === 'pruned' ? stopReasonText(t.attrs) : null] : []),
      ]);
    }
    return out;
  }
}

function csvLine(cells: readonly unknown[]): string {
  return cells.map(csvCell).join(',') + '\n';
}

/** A study's trials as CSV: one row per trial, params and final metrics as columns. */
export function trialsToCsv(trials: readonly TrialRecord[]): string {
  const cols = new CsvColumns();
  cols.add(trials);
  return cols.header() + cols.rows(trials);
}

/** A study with all its trials (per-step metrics included) as one JSON document. */
export function studyToJson(study: StudyRecord, trials: readonly TrialRecord[]): string {
  return JSON.stringify({ format: 'hyperzone.study/1', study, trials }, null, 2) + '\n';
}

const indent = (json: string, spaces: number): string => json.replace(/\n/g, `\n${' '.repeat(spaces)}`);

/**
 * studyToJson in pieces, one per page of trials (`hyperzone export` pages through a study so that its memory does
 * not grow with the study): the same text, character for character, when the pieces are joined.
 */
export async function* studyJsonChunks(study: StudyRecord, pages: AsyncIterable<readonly TrialRecord[]>): AsyncGenerator<string> {
  yield `{\n  "format": "hyperzone.study/1",\n  "study": ${indent(JSON.stringify(study, null, 2), 2)},\n  "trials": [`;
  let any = false;
  for await (const page of pages) {
    let out = '';
    for (const t of page) {
      out += `${any ? ',' : ''}\n    ${indent(JSON.stringify(t, null, 2), 4)}`;
      any = true;
    }
    if (out !== '') yield out;
  }
  yield any ? '\n  ]\n}\n' : ']\n}\n';
}
