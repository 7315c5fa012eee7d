import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readResultSet } from '../../results/resultset.js';
import { resultSetFromTrials } from '../../results/from-trials.js';
import type { ZoneOptions } from '../../strategies/zones/options.js';
import type { ZonesOutput } from '../../strategies/zones/zones.js';
import { buildReport, dataFromResultSet, dataFromStudy, renderHtml, type ReportData } from '../../reports/svg/index.js';
import { checkChromium, chromiumPath, figures, writePngs } from '../../reports/svg/png.js';
import type { DistributionSpec } from '../../space/distribution.js';
import { Space } from '../../space/space.js';
import { planOfStudy, readStoredSpec } from '../../spec/index.js';
import { redactUrl } from '../../storage/open.js';
import type { StudyRecord } from '../../core/types.js';
import { positiveInt, resolveStudy, storageUrl, withStorage } from '../context.js';

/** Flags of `hyperzone report`. */
export interface ReportFlags {
  storage?: string;
  study?: string;
  in?: string;
  out?: string;
  x?: string;
  y?: string;
  top?: string;
  valSize?: string;
  svgDir?: string;
  png?: string;
}

/** The space, fixed params and (zone strategy) zone options of a stored study, read from its one stored-spec shape. */
function studySetup(study: StudyRecord): { space: Record<string, DistributionSpec>; fixed: Record<string, string | number | boolean>; zone?: ZoneOptions } {
  const plan = planOfStudy(study, { checkParams: false });
  if (plan === null) {
    const stored = readStoredSpec(study.spec, study.name);
    return { space: Space.fromSpec(stored.space).toJSON(), fixed: { ...stored.fixed } };
  }
  return { space: plan.space.toJSON(), fixed: { ...plan.fixed }, ...(plan.sampler.type === 'zones' ? { zone: plan.zoneOptions } : {}) };
}

/**
 * Stage 1's output beside a later stage's document (`run` writes `1-zones.json` … `4-confirm.json` in one folder):
 * the zones the study found, which a later document cannot find again without stage 1's noise settings.
 */
async function siblingZones(file: string, data: ReportData): Promise<ZonesOutput | undefined> {
  if (data.stageOutput?.stage === 'zones' || !data.trials.some((t) => t.stage === 'zones')) return undefined;
  const path = join(dirname(file), '1-zones.json');
  if (resolve(path) === resolve(file) || !existsSync(path)) return undefined;
  const rs = await readResultSet(path);
  const out = rs.stage_output;
  // Only the same study's stage 1: same space.
  return JSON.stringify(rs.space) === JSON.stringify(data.space) && out?.stage === 'zones' && Array.isArray(out.zones) ? (out as unknown as ZonesOutput) : undefined;
}

/**
 * `hyperzone report (--in RESULTS.json | [--storage URL] [--study NAME]) -o report.html [--x P --y P] [--top N] [--svg-dir DIR] [--png DIR]`:
 * one self-contained HTML page of charts (inline SVG, no scripts); `--svg-dir` also writes each chart (each surface
 * frame) as an .svg file, `--png` as a .png through headless Chromium.
 */
export async function reportCommand(flags: ReportFlags): Promise<number> {
  if (!flags.out) throw new InputError('Missing `-o FILE.html` for the report');
  if (flags.in !== undefined && (flags.storage !== undefined || flags.study !== undefined)) {
    throw new InputError('Give either `--in RESULTS.json` or `--storage URL [--study NAME]`, not both');
  }
  // Chromium is checked before anything is read, so a missing browser fails fast (exit 2).
  if (flags.png !== undefined) checkChromium(chromiumPath());
  const top = positiveInt('--top', flags.top);
  const valSize = positiveInt('--val-size', flags.valSize);
  let data: ReportData;
  let zone: ZoneOptions | undefined;
  let stageZones: ZonesOutput | undefined;
  if (flags.in !== undefined) {
    data = dataFromResultSet(await readResultSet(flags.in), flags.in);
    stageZones = await siblingZones(flags.in, data);
  } else {
    data = await withStorage(flags.storage, async (storage) => {
      const study = await resolveStudy(storage, flags.study);
      const trials = await storage.listTrials(study.id);
      const setup = studySetup(study);
      zone = setup.zone;
      const rs = resultSetFromTrials({ space: setup.space, metric: study.metric, direction: study.direction, fixed: setup.fixed }, trials);
      return dataFromStudy(study, trials, setup.space, `study ${study.name} in ${redactUrl(storageUrl(flags.storage))}`, rs);
    }, { readOnly: true });
  }
  const zoneOptions: ZoneOptions = { ...(zone ?? {}), ...(valSize !== undefined ? { valSize } : {}) };
  const report = buildReport(data, { x: flags.x, y: flags.y, top, zoneOptions, stageZones });
  writeFileSync(flags.out, renderHtml(report));
  if (flags.svgDir !== undefined) {
    mkdirSync(flags.svgDir, { recursive: true });
    for (const f of figures(report.charts)) writeFileSync(join(flags.svgDir, `${f.name}.svg`), `<?xml version="1.0" encoding="UTF-8"?>\n${f.svg}\n`);
  }
  process.stderr.write(`wrote ${flags.out}: ${report.charts.map((c) => c.id).join(', ') || 'no charts'}${report.skipped.length ? `; not drawn: ${report.skipped.map((s) => `${s.title} (${s.reason})`).join('; ')}` : ''}\n`);
  if (flags.svgDir !== undefined) process.stderr.write(`wrote ${figures(report.charts).length} SVG file(s) to ${flags.svgDir}\n`);
  if (flags.png !== undefined) {
    const files = await writePngs(report.charts, flags.png);
    process.stderr.write(`wrote ${files.length} PNG file(s) to ${flags.png}\n`);
  }
  return 0;
}
