// Does a short survey's ranking hold at the full budget? Spearman's ρ between configurations' best-so-far
// validation value at each epoch and at the final one, on stored runs with per-epoch metrics (result-set JSON
// documents, e.g. docs/zones-gpu-2026-11-26/run2-4-confirm.json), optionally only one learning-rate schedule.
// Usage: npx tsx bench/zones-survey-rank.ts FILE.json [--final 30] [--schedule none] [--stage schedules,confirm]
//        npx tsx bench/zones-survey-rank.ts --grids SURVEY.csv FINAL.csv   (two exported grids, ρ of `value` by units × batch)
import { readFileSync } from 'node:fs';
import { parseResultSet } from '../src/results/index.js';
import { rankHolding } from '../src/strategies/zones/survey-rank.js';
import { spearman } from '../src/stats/rank.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function grids(a: string, b: string): void {
  const read = (f: string): Map<string, number> => {
    const [head, ...rows] = readFileSync(f, 'utf8').trim().split('\n');
    const cols = (head ?? '').split(',');
    const [u, bs, v] = ['units', 'batch_size', 'value'].map((c) => cols.indexOf(c));
    return new Map(rows.map((r) => r.split(',')).map((c) => [`${c[u as number]}x${c[bs as number]}`, Number(c[v as number])]));
  };
  const x = read(a), y = read(b);
  const keys = [...x.keys()].filter((k) => y.has(k));
  console.log(`${keys.length} configurations in both; Spearman ρ = ${spearman(keys.map((k) => x.get(k) as number), keys.map((k) => y.get(k) as number)).toFixed(3)}`);
}

function main(): void {
  const g = process.argv.indexOf('--grids');
  if (g >= 0) return grids(process.argv[g + 1] as string, process.argv[g + 2] as string);
  const file = process.argv[2];
  if (!file) throw new Error('usage: zones-survey-rank.ts FILE.json [--final N] [--schedule S] [--stage a,b]');
  const rs = parseResultSet(JSON.parse(readFileSync(file, 'utf8')));
  const final = Number(arg('final') ?? Math.max(...rs.entries.map((e) => e.steps.length)));
  const schedule = arg('schedule');
  const stages = arg('stage')?.split(',');
  const entries = rs.entries.filter((e) => (schedule === undefined || e.params.lr_schedule === schedule) && (stages === undefined || stages.includes(e.stage ?? 'zones')));
  const epochs = Array.from({ length: final - 1 }, (_, i) => i + 1);
  const rows = rankHolding(entries, rs.objective.metric, rs.objective.direction, epochs, final);
  console.log(`${file}${schedule ? `, schedule ${schedule}` : ''}: ranking at epoch e vs epoch ${final}`);
  console.log('| epoch | share of budget | Spearman ρ | configurations |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.epoch} | ${(r.epoch / final).toFixed(2)} | ${r.rho.toFixed(3)} | ${r.configs} |`);
}

main();
