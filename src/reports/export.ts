import type { StudyRecord, TrialRecord } from '../core/types.js';

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A study's trials as CSV: one row per trial, params and final metrics as columns. */
export function trialsToCsv(trials: readonly TrialRecord[]): string {
  const params = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const metrics = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))];
  const headers = ['number', 'state', ...params, 'seed', 'budget', 'value', ...metrics, 'steps', 'started_at', 'finished_at', 'seconds', 'error'];
  const rows = trials.map((t) => [
    t.number, t.state, ...params.map((p) => t.params[p]), t.seed, t.budget, t.value, ...metrics.map((m) => t.metrics[m]), t.steps.length,
    t.startedAt === null ? null : new Date(t.startedAt).toISOString(),
    t.finishedAt === null ? null : new Date(t.finishedAt).toISOString(),
    t.startedAt !== null && t.finishedAt !== null ? (t.finishedAt - t.startedAt) / 1000 : null,
    t.error,
  ]);
  return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** A study with all its trials (per-step metrics included) as one JSON document. */
export function studyToJson(study: StudyRecord, trials: readonly TrialRecord[]): string {
  return JSON.stringify({ format: 'hyperzone.study/1', study, trials }, null, 2) + '\n';
}
