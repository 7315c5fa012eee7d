import { max, min } from 'd3-array';
import { InputError } from '../../core/errors.js';
import type { ConfirmOutput, ConfirmedConfig } from '../../strategies/zones/confirm.js';
import { CATEGORICAL } from './color.js';
import { paramsText, showValue } from './data.js';
import { truncate, wrapText } from './escape.js';
import { linearScale } from './scale.js';
import { niceDomain } from './ticks.js';
import { el, svgDocument, text, tooltip, type Chart } from './svg.js';
import { bottomAxis } from './axes.js';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks that a stage output is stage 4's ConfirmOutput with the fields the forest plot reads; throws an
 * InputError naming the first bad field (`stage_output.configs[2].validation.low`). Returns null for other stages.
 */
export function asConfirmOutput(out: Readonly<Record<string, unknown>> | undefined): ConfirmOutput | null {
  if (!out || out.stage !== 'confirm') return null;
  const bad = (path: string, v: unknown): never => {
    throw new InputError(`Invalid stage-4 output: \`stage_output.${path}\` is ${JSON.stringify(v) ?? 'missing'}`);
  };
  if (typeof out.metric !== 'string') bad('metric', out.metric);
  if (typeof out.best !== 'string') bad('best', out.best);
  if (!Array.isArray(out.configs) || out.configs.length === 0) bad('configs', out.configs);
  (out.configs as unknown[]).forEach((c, i) => {
    const r = c as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null) bad(`configs[${i}]`, c);
    if (typeof r?.label !== 'string') bad(`configs[${i}].label`, r?.label);
    for (const part of ['validation', 'test'] as const) {
      const m = r?.[part] as Record<string, unknown> | null | undefined;
      if (part === 'test' && (m === null || m === undefined)) continue;
      if (typeof m !== 'object' || m === null) bad(`configs[${i}].${part}`, m);
      for (const k of ['mean', 'low', 'high']) if (!isNum(m?.[k])) bad(`configs[${i}].${part}.${k}`, m?.[k]);
    }
  });
  if (out.verdicts !== undefined && !Array.isArray(out.verdicts)) bad('verdicts', out.verdicts);
  return out as unknown as ConfirmOutput;
}

/**
 * Stage 4's forest plot: one row per confirmed configuration (best validation mean first), its mean and
 * 95% interval over seeds on the validation metric (left panel) and the test metric (right panel, when
 * present); the selected configuration as a filled diamond with a dashed line at its mean, the plain
 * grid's baseline as a square; the verdicts written under the plot.
 */
export function forestChart(c: ConfirmOutput, o: { id?: string; width?: number } = {}): Chart {
  const id = o.id ?? 'forest';
  const W = o.width ?? 900;
  const rows = c.configs;
  const panels: { name: string; get: (x: ConfirmedConfig) => ConfirmedConfig['validation'] | null }[] = [{ name: `${c.metric} (validation, selects)`, get: (x) => x.validation }];
  if (rows.every((r) => r.test !== null && r.test !== undefined)) panels.push({ name: `${c.testMetric} (test, reported)`, get: (x) => x.test });
  const labelW = 340;
  const rowH = 34;
  const top = 46;
  const plotH = rows.length * rowH;
  const verdicts = [...new Set([...(c.verdicts ?? []), ...(c.improvement?.verdict ? [c.improvement.verdict] : [])])];
  const wrapped = verdicts.map((v) => wrapText(`• ${v}`, 135));
  const verdictLines = wrapped.reduce((n, w) => n + w.length, 0);
  const H = top + plotH + 56 + 24 + verdictLines * 15 + 10;
  const gap = 30;
  const panelW = (W - labelW - 20 - gap * (panels.length - 1)) / panels.length;
  const parts: string[] = [];

  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const selected = r.label === c.best;
    const tag = selected ? 'selected' : r.baseline ? 'plain-grid best (baseline)' : r.scheduleRank !== null && r.scheduleRank !== undefined ? `stage-3 rank ${r.scheduleRank}` : '';
    if (i % 2 === 0) parts.push(el('rect', { x: 8, y: y - rowH / 2, width: W - 16, height: rowH, fill: '#f6f6f6' }));
    parts.push(text(14, y - 2, truncate(paramsText(r.params ?? {}) || r.label, 50), { class: 'label', 'font-weight': selected ? 700 : 400 }, ), text(14, y + 12, tag, { class: 'note', 'font-weight': selected ? 700 : 400 }));
  });

  panels.forEach((p, pi) => {
    const x0 = labelW + pi * (panelW + gap);
    const lows = rows.map((r) => p.get(r)?.low as number);
    const highs = rows.map((r) => p.get(r)?.high as number);
    const xs = linearScale(niceDomain(min(lows) ?? NaN, max(highs) ?? NaN, 5), [x0 + 10, x0 + panelW - 10]);
    parts.push(text(x0 + panelW / 2, top - 14, p.name, { class: 'label', 'text-anchor': 'middle', 'font-weight': 600 }));
    parts.push(bottomAxis({ scale: xs, at: top + plotH + 4, gridTo: top, label: 'mean ± 95% CI over seeds', tickCount: 5 }));
    const best = rows.find((r) => r.label === c.best);
    const bm = best ? p.get(best)?.mean : undefined;
    if (bm !== undefined) parts.push(el('line', { x1: xs.map(bm), y1: top, x2: xs.map(bm), y2: top + plotH, stroke: CATEGORICAL[2], 'stroke-dasharray': '4 3', 'stroke-width': 1 }));
    rows.forEach((r, i) => {
      const m = p.get(r);
      if (!m) return;
      const y = top + i * rowH + rowH / 2;
      const selected = r.label === c.best;
      const color = selected ? (CATEGORICAL[2] as string) : r.baseline ? '#555555' : (CATEGORICAL[0] as string);
      const cx = xs.map(m.mean);
      const marker = selected
        ? el('polygon', { points: `${cx},${y - 7} ${cx + 7},${y} ${cx},${y + 7} ${cx - 7},${y}`, fill: color })
        : r.baseline
          ? el('rect', { x: cx - 5, y: y - 5, width: 10, height: 10, fill: color })
          : el('circle', { cx, cy: y, r: 5, fill: color });
      parts.push(el('g', { class: 'interval' },
        tooltip(`${r.label}: ${p.name} mean ${showValue(m.mean)}, 95% CI ${showValue(m.low)}–${showValue(m.high)} (n = ${m.n})${selected ? ' — selected' : ''}${r.baseline ? ' — plain-grid best' : ''}`),
        el('line', { x1: xs.map(m.low), y1: y, x2: xs.map(m.high), y2: y, stroke: color, 'stroke-width': 2 }),
        el('line', { x1: xs.map(m.low), y1: y - 5, x2: xs.map(m.low), y2: y + 5, stroke: color, 'stroke-width': 1.5 }),
        el('line', { x1: xs.map(m.high), y1: y - 5, x2: xs.map(m.high), y2: y + 5, stroke: color, 'stroke-width': 1.5 }),
        marker));
    });
  });

  let vy = top + plotH + 56 + 18;
  parts.push(text(14, vy, 'Verdicts (paired t-test on shared seeds, Welch’s where seeds differ, against the selected configuration, Holm-corrected):', { class: 'label', 'font-weight': 600 }));
  for (const lines of wrapped) for (const line of lines) {
    vy += 15;
    parts.push(text(14, vy, line, { class: 'tick' }));
  }
  const title = 'Stage 4: confirmation over seeds';
  const desc = `${rows.length} configurations, mean ± 95% CI of ${c.metric}${panels.length > 1 ? ` and ${c.testMetric}` : ''}; selected on ${c.metric}: ${c.best}.`;
  return { id, title, caption: `${desc} Diamond: selected; square: the plain grid's best rerun (baseline).`, svg: svgDocument({ id, width: W, height: H, title, desc }, parts.join('')) };
}
