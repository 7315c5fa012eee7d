// Development bench for auto's end-of-budget confirmation on the FCNet tables: at one budget, `auto` without
// confirmation (anytime run) against confirmation variants (AutoOptions as JSON), each scored with three rules
// for the returned configuration: auto's own, the best mean among configurations evaluated ≥ 2 and ≥ 3 times.
// Prints the number of configurations truly better than the returned one, per rep, and wins/losses vs the base.
// The default (share 0.2, round-robin among 5, best mean of the re-evaluated) was chosen with it on seeds 4000–4019:
//   npx tsx bench/auto-confirm.ts --seed-base 4000 --reps 20 --tables parkinsons_telemonitoring --variants \
//     '{"rr5-0.2":{"confirmShare":0.2},"rr3-0.2":{"confirmShare":0.2,"confirmAmong":3},"rr8-0.3":{"confirmShare":0.3,"confirmAmong":8}}'
import { existsSync } from 'node:fs';
import { TabularObjective } from './objectives/tabular.js';
import { AutoSampler, type AutoOptions } from '../src/samplers/auto.js';
import { askTell } from './support/loop.js';
import type { Params, TrialRecord } from '../src/core/types.js';
import { benchDataDir } from './support/data-dir.js';
const arg = (k: string, d: string) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1]! : d; };
const seedBase = Number(arg('--seed-base', '4000')), reps = Number(arg('--reps', '20'));
const tables = arg('--tables', 'parkinsons_telemonitoring,slice_localization').split(',');
const budget = Number(arg('--budget', '200'));
const variants: Record<string, AutoOptions> = JSON.parse(arg('--variants', '{"default":{}}'));
if (!Number.isInteger(budget) || budget < 10 || !Number.isInteger(reps) || reps < 1) throw new Error(`Expected --budget ≥ 10 and --reps ≥ 1, got ${budget}, ${reps}`);
const dir = `${benchDataDir()}/`;
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = (s.length - 1) / 2; return (s[Math.floor(m)]! + s[Math.ceil(m)]!) / 2; };
const key = (p: Params) => JSON.stringify(p);
function meanPick(tr: readonly TrialRecord[], minN: number): Params | null {
  const m = new Map<string, { p: Params; s: number; n: number }>();
  for (const t of tr) { const e = m.get(key(t.params)) ?? { p: t.params, s: 0, n: 0 }; e.s += t.value!; e.n++; m.set(key(t.params), e); }
  let b: { p: Params; s: number; n: number } | null = null;
  for (const e of m.values()) if (e.n >= minN && (b === null || e.s / e.n < b.s / b.n)) b = e;
  return b?.p ?? null;
}
function run(obj: TabularObjective, s: AutoSampler, seed: number): readonly TrialRecord[] {
  let last: readonly TrialRecord[] = [];
  const loop = askTell(s, obj.space, obj.direction, budget, seed, (_i, tr) => { last = tr; });
  for (let x = loop.next(); !x.done; ) x = loop.next(obj.evaluate(x.value.params, x.value.noise));
  return last;
}
for (const t of tables) {
  if (!existsSync(`${dir}fcnet-${t}.csv.gz`)) { console.log(`(skipping ${t}: absent)`); continue; }
  const obj = await TabularObjective.load(`${dir}fcnet-${t}.csv.gz`, { metric: 'valid_mse', direction: 'minimize' });
  const N = obj.configurations().length;
  const rr = (p: Params | null) => (p ? obj.rankRegret(p) * N : NaN);
  const rows: Record<string, number[]> = { base: [] };
  for (let rep = 0; rep < reps; rep++) {
    const b = new AutoSampler();
    rows.base!.push(rr(b.returnedConfiguration(run(obj, b, seedBase + rep), obj.space, obj.direction)!.params));
    for (const [name, o] of Object.entries(variants)) {
      const s = new AutoSampler({ ...o, trials: budget });
      const tr = run(obj, s, seedBase + rep);
      (rows[`${name} mu`] ??= []).push(rr(s.returnedConfiguration(tr, obj.space, obj.direction)!.params));
      (rows[`${name} mean n>=2`] ??= []).push(rr(meanPick(tr, 2)));
      (rows[`${name} mean n>=3`] ??= []).push(rr(meanPick(tr, 3)));
    }
    process.stderr.write('.');
  }
  console.log(`\n${t} @${budget} (configs better than returned; median over ${reps}; [wins/losses vs base])`);
  for (const [name, v] of Object.entries(rows)) {
    const w = v.filter((x, i) => x < rows.base![i]!).length, l = v.filter((x, i) => x > rows.base![i]!).length;
    console.log(`  ${name.padEnd(20)} ${String(med(v.filter(Number.isFinite))).padStart(5)} [${w}+ ${l}-]   ${v.join(' ')}`);
  }
}
