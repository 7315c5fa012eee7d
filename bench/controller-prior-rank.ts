// Diagnosis for issue 16 (no search runs): how well do the leave-one-task-out fold models rank an unseen LCBench
// task's configurations without a curve — the prior the warm start and `prior_mean` use? For each of the 23 meta
// tasks, its fold models (trained on the other 22 with 30 and with 200 configurations per task, as cached by
// bench/controller-regret.ts) predict the final value of N random configurations of the held-out task (a seed stream
// the models never saw); Spearman of prediction and truth over all N, and over the best fifth by truth (where a
// search spends its later trials). The 11 reserved tasks are never loaded.
// Usage: HZ_BENCH_DATA=… npx tsx bench/controller-prior-rank.ts [--configs 30,200] [--n 500] [--model-dir bench/out/controller]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { YahpoLcbench, lcbenchAvailable } from './objectives/yahpo-lcbench.js';
import { benchDataPath } from './support/data-dir.js';
import { META_TASKS, checkMetaTask, taskCurves } from './controller-lcbench.js';
import { Surrogate } from '../src/controller/surrogate.js';
import { spearman } from '../src/stats/rank.js';
import { quantile } from '../src/stats/intervals.js';
import { LCBENCH_MAX_EPOCH } from './objectives/yahpo-lcbench.js';

const args = process.argv.slice(2);
const arg = (k: string, d: string): string => { const i = args.indexOf(k); return i >= 0 ? (args[i + 1] as string) : d; };
const sizes = arg('--configs', '30,200').split(',').map(Number);
const n = Number(arg('--n', '500'));
const modelDir = arg('--model-dir', 'bench/out/controller');
const dir = benchDataPath('yahpo-lcbench');
if (!lcbenchAvailable(dir)) { console.log(`LCBench surrogate data not found in ${dir}: set HZ_BENCH_DATA (bench/fetch)`); process.exit(0); }

const f3 = (x: number): string => x.toFixed(3);
console.log(`# Fold models' ranking of an unseen task's configurations, no curve (${n} random configurations per task, seed 99)\n`);
console.log(`| task | ${sizes.map((c) => `all, c${c} | top fifth, c${c}`).join(' | ')} |`);
console.log(`|---|${sizes.map(() => '---|---').join('|')}|`);
const all: number[][] = sizes.map(() => []);
const top: number[][] = sizes.map(() => []);
for (const [fold, task] of META_TASKS.entries()) {
  checkMetaTask(task);
  const o = await YahpoLcbench.load(dir, task);
  // Seed 99: not the seed (16) of the configurations the fold models of other tasks were trained on.
  const c = await taskCurves(o, n, 99);
  const truth = c.curves.map((cv) => cv[LCBENCH_MAX_EPOCH - 1] as number);
  const cut = quantile(truth, 0.8);
  const best = truth.map((v, i) => (v >= cut ? i : -1)).filter((i) => i >= 0);
  const cells: string[] = [];
  sizes.forEach((size, k) => {
    const file = join(modelDir, `fold-${fold}of23-c${size}-m3-e15-s16-wasm.json`);
    if (!existsSync(file)) throw new Error(`${file} is missing: run bench/controller-regret.ts with --configs ${size} first (it trains the fold models)`);
    const model = new Surrogate(JSON.parse(readFileSync(file, 'utf8')));
    if (model.json.training.groups.includes(task)) throw new Error(`${file} saw the held-out task ${task}`);
    const pred = c.configs.map((p) => model.predict(p, [], 1).mean);
    const rAll = spearman(pred, truth);
    const rTop = spearman(best.map((i) => pred[i] as number), best.map((i) => truth[i] as number));
    (all[k] as number[]).push(rAll);
    (top[k] as number[]).push(rTop);
    cells.push(`${f3(rAll)} | ${f3(rTop)}`);
  });
  console.log(`| ${task} | ${cells.join(' | ')} |`);
}
console.log(`| **median over 23 tasks** | ${sizes.map((_, k) => `${f3(quantile(all[k] as number[], 0.5))} | ${f3(quantile(top[k] as number[], 0.5))}`).join(' | ')} |`);
