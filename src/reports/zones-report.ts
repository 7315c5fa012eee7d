import type { ResultSet } from '../results/index.js';
import type { ConfirmOutput } from '../strategies/zones/confirm.js';
import type { RefineOutput } from '../strategies/zones/refine.js';
import type { SchedulesOutput } from '../strategies/zones/schedules.js';
import type { ZonesOutput } from '../strategies/zones/zones.js';
import { formatValue } from './results.js';
import { formatDuration, renderTable } from './text-table.js';

const p = (params: Readonly<Record<string, unknown>>): string => Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
const ci = (m: { mean: number; halfWidth: number; n?: number }): string => `${formatValue(m.mean)} ± ${Number.isFinite(m.halfWidth) ? m.halfWidth.toFixed(4) : '?'}${m.n !== undefined ? ` (n=${m.n})` : ''}`;

/** The zone strategy's report as text: zones with noise and persistence, candidates, confirmation with intervals and verdicts, compute per stage. */
export function renderZonesReport(docs: { zones?: ResultSet; refine?: ResultSet; schedules?: ResultSet; confirm?: ResultSet }): string {
  const out: string[] = [];
  const z = docs.zones?.stage_output as ZonesOutput | undefined;
  if (z) {
    out.push(`Stage 1 — zones (${z.points} grid points${z.epoch !== null ? `, read at epoch ${z.epoch}` : ''})`);
    // Older documents carry only source and sd.
    out.push(`noise band: ${z.noise.note ?? `${z.noise.source}${z.noise.sd !== null ? `, sd ${formatValue(z.noise.sd)}` : ''}`}`);
    if (z.noise.verifyRuns) out.push(`zone peaks verified with a second seed: ${z.noise.verifyRuns} run(s)`);
    const epochs = z.persistenceEpochs ?? [];
    const head = ['zone', 'peak', 'value', 'runs', 'prominence', 'extent', ...(epochs.length > 0 ? [`also at epochs ${epochs.join('/')}`] : [])];
    out.push(
      renderTable(
        head,
        z.zones.map((x) => [
          x.rank,
          p(x.peak),
          formatValue(x.value),
          x.n,
          x.prominence === null ? null : formatValue(x.prominence),
          `${x.extent.length} points`,
          ...(epochs.length > 0 ? [epochs.map((e) => (x.persistsAt?.includes(e) ? String(e) : '–')).join(' ')] : []),
        ]),
      ),
    );
    out.push(`plain grid best: ${p(z.gridBest.params)} → ${formatValue(z.gridBest.value)}`, '');
  }
  const r = docs.refine?.stage_output as RefineOutput | undefined;
  if (r) {
    out.push('Stage 2 — potentially optimal configurations:');
    out.push(renderTable(['zone', 'config', 'value', 'found by'], r.candidates.map((c) => [c.zone, p(c.params), formatValue(c.value), c.source])), '');
  }
  const s = docs.schedules?.stage_output as SchedulesOutput | undefined;
  if (s?.surveyRank) {
    const h = s.surveyRank;
    out.push(`Did the survey's ranking hold? Spearman ρ between epoch ${h.epoch} and epoch ${h.final} over stage 3's ${h.configs} configurations: ${h.rho.toFixed(2)}${h.rho < 0.9 ? ' (below 0.9: a longer survey, or more spread candidates, would be safer)' : ''}`, '');
  }
  const c = docs.confirm?.stage_output as ConfirmOutput | undefined;
  if (c) {
    out.push(`Stage 4 — confirmation (mean ± 95% CI over seeds; ${c.metric} selects, ${c.testMetric} is reported):`);
    if (c.selectedBy) out.push(`selected: ${c.best}, by ${c.selectedBy}`);
    if (c.configs.some((x) => x.test !== null) && c.configs.every((x) => !x.testWithTestSet)) {
      out.push('test intervals cover seed-to-seed variation only: they are conditional on this test set (its size is unknown, so its own sampling error p(1−p)/N is not added)');
    }
    out.push(
      renderTable(
        ['config', 'validation', 'test (this test set)', 'test (+ test-set error)', ''],
        c.configs.map((x) => [
          p(x.params),
          ci(x.validation),
          x.test ? ci(x.test) : null,
          x.testWithTestSet ? ci(x.testWithTestSet) : null,
          x.baseline ? 'plain-grid best' : x.label === c.best ? 'selected' : '',
        ]),
      ),
    );
    out.push('', ...[...new Set([...c.verdicts, c.improvement.verdict])].map((v) => `• ${v}`), '');
  }
  const compute = (docs.confirm ?? docs.schedules ?? docs.refine ?? docs.zones)?.compute;
  if (compute) {
    out.push('Compute per stage:');
    out.push(renderTable(['stage', 'trials', 'epochs', 'image-epochs', 'wall'], Object.entries(compute).map(([k, v]) => [k, v.trials, v.epochs, v.image_epochs > 0 || v.epochs === 0 ? v.image_epochs.toLocaleString('en-US') : 'unknown (set sampler.train_size)', formatDuration(v.wall_seconds)])));
  }
  return out.join('\n');
}
