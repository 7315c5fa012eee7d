import type { ResultSet } from '../results/index.js';
import type { ConfirmOutput } from '../samplers/zones/confirm.js';
import type { RefineOutput } from '../samplers/zones/refine.js';
import type { ZonesOutput } from '../samplers/zones/zones.js';
import { formatValue } from './results.js';
import { formatDuration, renderTable } from './text-table.js';

const p = (params: Readonly<Record<string, unknown>>): string => Object.entries(params).map(([k, v]) => `${k}=${v}`).join(' ');
const ci = (m: { mean: number; halfWidth: number; n: number }): string => `${formatValue(m.mean)} ± ${Number.isFinite(m.halfWidth) ? m.halfWidth.toFixed(4) : '?'} (n=${m.n})`;

/** The zone strategy's report as text: zones, candidates, confirmation with intervals and verdicts, compute per stage. */
export function renderZonesReport(docs: { zones?: ResultSet; refine?: ResultSet; confirm?: ResultSet }): string {
  const out: string[] = [];
  const z = docs.zones?.stage_output as ZonesOutput | undefined;
  if (z) {
    out.push(`Stage 1 — zones (${z.points} grid points; noise: ${z.noise.source}${z.noise.sd !== null ? `, sd ${formatValue(z.noise.sd)}` : ''}):`);
    out.push(renderTable(['zone', 'peak', 'value', 'prominence', 'extent'], z.zones.map((x) => [x.rank, p(x.peak), formatValue(x.value), x.prominence === null ? null : formatValue(x.prominence), x.extent.length])));
    out.push(`plain grid best: ${p(z.gridBest.params)} → ${formatValue(z.gridBest.value)}`, '');
  }
  const r = docs.refine?.stage_output as RefineOutput | undefined;
  if (r) {
    out.push('Stage 2 — potentially optimal configurations:');
    out.push(renderTable(['zone', 'config', 'value', 'found by'], r.candidates.map((c) => [c.zone, p(c.params), formatValue(c.value), c.source])), '');
  }
  const c = docs.confirm?.stage_output as ConfirmOutput | undefined;
  if (c) {
    out.push(`Stage 4 — confirmation (mean ± 95% CI over seeds; ${c.metric} selects, ${c.testMetric} is reported):`);
    out.push(renderTable(['config', 'validation', 'test', 'single-run Wilson 95%', ''], c.configs.map((x) => {
      const w = x.testRuns[0]?.wilson;
      return [p(x.params), ci(x.validation), x.test ? ci(x.test) : null, w ? `${formatValue(w.low)}–${formatValue(w.high)}` : null, x.baseline ? 'plain-grid best' : x.label === c.best ? 'selected' : ''];
    })));
    out.push('', ...[...new Set([...c.verdicts, c.improvement.verdict])].map((v) => `• ${v}`), '');
  }
  const compute = (docs.confirm ?? docs.refine ?? docs.zones)?.compute;
  if (compute) {
    out.push('Compute per stage:');
    out.push(renderTable(['stage', 'trials', 'epochs', 'image-epochs', 'wall'], Object.entries(compute).map(([k, v]) => [k, v.trials, v.epochs, v.image_epochs.toLocaleString('en-US'), formatDuration(v.wall_seconds)])));
  }
  return out.join('\n');
}
