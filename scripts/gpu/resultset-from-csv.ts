// Rebuilds a zone study's result set from `hyperzone export --format csv` when its stage documents did not come back
// from the GPU machine (the device tool returns a limited number of files): every completed trial becomes an entry
// (final metrics only; the per-epoch curves are not in the CSV), tagged with its stage by its budget and params.
//   npx tsx scripts/gpu/resultset-from-csv.ts <spec.yaml> <trials.csv> <out.json>
import { readFileSync } from 'node:fs';
import { addEntries, emptyResultSet, writeResultSet, type ResultEntry } from '../../src/results/index.js';
import { loadPlan } from '../../src/spec/index.js';
import { resolveZoneOptions } from '../../src/strategies/zones/options.js';

const [specPath, csvPath, outPath] = process.argv.slice(2);
if (!specPath || !csvPath || !outPath) throw new Error('usage: resultset-from-csv.ts <spec.yaml> <trials.csv> <out.json>');
// checkParams false: a spec of an older run stays readable (as `report` reads stored specs).
const plan = loadPlan(specPath, { checkParams: false });
const o = resolveZoneOptions(plan.zoneOptions);
const space = plan.space;
/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
function csvRows(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n') { row.push(field); out.push(row); row = []; field = ''; }
    else if (ch !== '\r') field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); out.push(row); }
  return out;
}
const [header = [], ...body] = csvRows(readFileSync(csvPath, 'utf8'));
const rows = body.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
const paramNames = [...space.names, o.scheduleParam];
const entries: ResultEntry[] = [];
for (const r of rows) {
  if (r.state !== 'complete') continue;
  const params: Record<string, number | string> = {};
  for (const n of paramNames) {
    const v = r[n];
    if (v === undefined || v === '') continue;
    params[n] = Number.isFinite(Number(v)) ? Number(v) : v;
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) {
    if (paramNames.includes(k) || ['number', 'state', 'seed', 'budget', 'value', 'started_at', 'finished_at', 'error'].includes(k)) continue;
    if (v !== '' && Number.isFinite(Number(v))) metrics[k] = Number(v);
  }
  const budget = Number(r.budget);
  const onGrid = space.contains(params) && Object.keys(params).length === space.names.length;
  const stage = budget === o.surveyEpochs ? (onGrid ? 'zones' : 'refine') : metrics.test_accuracy !== undefined ? 'confirm' : 'schedules';
  entries.push({ params, seed: Number(r.seed), budget, value: Number(r.value), steps: [], metrics, stage });
}
await writeResultSet(outPath, addEntries(emptyResultSet(plan.spec.space, plan.objective, plan.fixed), entries));
console.log(`${entries.length} entries → ${outPath}`);
