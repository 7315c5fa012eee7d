import type { ObjectiveSpec, TrialRecord } from '../core/types.js';
import { formatNumber, formatParams } from './format.js';
import { formatValue } from './results.js';
import { formatDuration, renderTable } from './text-table.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A one-line sparkline of a series (min → ▁, max → █). */
export function sparkline(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return values.map((v) => (Number.isFinite(v) ? BLOCKS[hi === lo ? 3 : Math.round(((v - lo) / (hi - lo)) * 7)] : ' ')).join('');
}

/** One trial as text: params, outcome (every objective's value), final metrics and its learning curve (table + sparklines). */
export function renderTrial(t: TrialRecord, metric: string, objectives: readonly ObjectiveSpec[] = []): string {
  const lines: string[] = [];
  const shown = objectives.length > 1 && t.values && t.values.length === objectives.length
    ? objectives.map((o, i) => `${o.metric} = ${formatValue(t.values?.[i] as number)}`).join(', ')
    : t.value !== null ? `${metric} = ${formatValue(t.value)}` : '';
  lines.push(`trial #${t.number} (id ${t.id}): ${t.state}${shown ? `, ${shown}` : ''}`);
  lines.push(`params: ${formatParams(t.params, ', ')}; seed ${t.seed}; budget ${t.budget ?? '-'}`);
  if (t.startedAt !== null) lines.push(`time: ${t.finishedAt !== null ? formatDuration((t.finishedAt - t.startedAt) / 1000) : 'running'}; attempts ${t.attempts}${t.workerId ? `; worker ${t.workerId}` : ''}`);
  if (t.error) lines.push(`error: ${t.error}`);
  const finals = Object.entries(t.metrics);
  if (finals.length) lines.push(`final: ${finals.map(([k, v]) => `${k}=${formatNumber(v)}`).join(', ')}`);
  const attrs = Object.entries(t.attrs);
  if (attrs.length) lines.push(`attrs: ${attrs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`);
  if (t.steps.length) {
    const names = [...new Set(t.steps.flatMap((s) => Object.keys(s.metrics)))];
    const curveNames = names.filter((n) => /loss|acc/.test(n));
    lines.push('', 'learning curve:');
    for (const n of curveNames) lines.push(`  ${n.padEnd(14)} ${sparkline(t.steps.map((s) => s.metrics[n] ?? NaN))}`);
    lines.push('', renderTable(['epoch', ...names], t.steps.map((s) => [s.step, ...names.map((n) => (s.metrics[n] === undefined ? null : formatNumber(s.metrics[n] as number)))])));
  }
  return lines.join('\n');
}
