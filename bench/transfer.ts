// Transfer learning with the built-in trainer, at reduced CPU scale: pretrain a small CNN on MNIST digits 0–4, then
// fine-tune it on digits 5–9 (or Fashion-MNIST: --target fashion-mnist) with a fraction of their labels, against
// the same network trained from scratch at equal compute (same images, same epochs, same batch size, same seeds).
// Per label fraction: mean test accuracy over the seeds (at each run's best validation epoch; validation is cut to
// the same fraction, so selection uses no more labels than training), and a paired t-test on the per-seed
// differences (fine-tune − scratch; the two runs of a seed share shuffles and head initialisation).
// The settings below (network, recipe, epochs, seeds) were committed before any test accuracy was read.
// Run: nice -n 10 npx tsx bench/transfer.ts [--seeds 5] [--fractions 0.01,0.1] [--target mnist|fashion-mnist]
//        [--base DIR (reuse a pretrained network)] [--out FILE.json] [--backend wasm|cpu]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Metrics, Outcome, Params } from '../src/core/types.js';
import { loadDataset } from '../src/datasets/load.js';
import type { BackendChoice } from '../src/runners/tfjs/backend.js';
import { createTfjsRunner, type TfjsRunnerOptions } from '../src/runners/tfjs/runner.js';
import { meanInterval } from '../src/stats/intervals.js';
import { pairedTTest } from '../src/stats/tests.js';
import { studentTQuantile } from '../src/stats/distributions.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
};

/** The network: two small convolutions (a 2-core machine shared by others), as examples/transfer-*.yaml. */
export const MODEL = 'conv8-maxpool-conv16-maxpool-dense64';
/** Pretraining on digits 0–4: the first 80% of their 30,596 training images (the rest validate). */
export const PRETRAIN = { params: { model: MODEL, batch_size: 64, learning_rate: 0.001 }, epochs: 4, seed: 1 };
/** The fine-tuning recipe: both convolutions frozen, dense64 trained, a new output layer; one step size. */
export const FINETUNE = { batch_size: 32, freeze: 2, head_units: 0, lr_body: 0.001, lr_head: 0.001 };
/** From scratch: the same network and step size. */
export const SCRATCH = { model: MODEL, batch_size: 32, learning_rate: 0.001 };
/** Epochs per label fraction: fewer images, more epochs (the same for both arms). */
export const EPOCHS: Readonly<Record<string, number>> = { '0.01': 40, '0.1': 15 };

const seeds = Number(flag('seeds', '5'));
const fractions = flag('fractions', '0.01,0.1').split(',').map(Number);
const target = flag('target', 'mnist') as 'mnist' | 'fashion-mnist';
const backend = flag('backend', 'wasm') as BackendChoice;
const out = flag('out', '');
const targetClasses = target === 'mnist' ? [5, 6, 7, 8, 9] : undefined;

const common = { backend, workers: 1, metric: 'val_accuracy', direction: 'maximize' as const, evaluateTest: true };

async function runOne(options: Omit<TfjsRunnerOptions, 'backend' | 'workers' | 'metric' | 'direction'>, params: Params, seed: number, epochs: number) {
  const runner = createTfjsRunner({ ...common, ...options });
  await runner.prepare?.();
  const steps: Metrics[] = [];
  const t0 = performance.now();
  try {
    const ctx = { report: (_s: number, m: Metrics) => void steps.push(m), signal: new AbortController().signal };
    const o: Outcome = await runner.run({ trialId: 1, number: 0, params, seed, budget: epochs }, ctx);
    if (o.state !== 'complete') throw new Error(`trial did not complete: ${JSON.stringify(o)}`);
    return { value: o.value, test: o.metrics?.['test_accuracy'] as number, seconds: (performance.now() - t0) / 1000, steps, metrics: o.metrics ?? {} };
  } finally {
    await runner.close?.();
  }
}

const log = (s: string): void => void process.stderr.write(s + '\n');
const started = new Date();
const load0 = loadavg()[0] as number;

let baseDir = flag('base', '');
let pretrain: { seconds: number; val: number; test: number; imageEpochs: number } | null = null;
mkdirSync('bench/out/transfer', { recursive: true });
if (baseDir === '') {
  baseDir = resolve('bench/out/transfer/pretrain-0to4');
  log(`pretraining ${MODEL} on MNIST 0–4 (${PRETRAIN.epochs} epochs)…`);
  const r = await runOne(
    { dataset: 'mnist', classes: [0, 1, 2, 3, 4], saveModels: { dir: dirname(baseDir), study: 'transfer-pretrain' } },
    PRETRAIN.params,
    PRETRAIN.seed,
    PRETRAIN.epochs,
  );
  // The runner saves trial-<number>: move the name to what --base expects.
  baseDir = join(dirname(baseDir), 'trial-0');
  const images = loadDataset('mnist', { classes: [0, 1, 2, 3, 4] }).train.count;
  pretrain = { seconds: r.seconds, val: r.value, test: r.test, imageEpochs: PRETRAIN.epochs * images };
  log(`  val ${r.value.toFixed(4)}, test (0–4) ${r.test.toFixed(4)}, ${r.seconds.toFixed(0)} s, ${images} training images → ${baseDir}`);
}

interface Arm {
  readonly test: number[];
  readonly seconds: number[];
}
const rows: { fraction: number; epochs: number; scratch: Arm; finetune: Arm; sizes: { train: number; validation: number; test: number } }[] = [];
for (const fraction of fractions) {
  const epochs = EPOCHS[String(fraction)] ?? 20;
  const data = { dataset: target, ...(targetClasses !== undefined ? { classes: targetClasses } : {}), labelFraction: fraction };
  const scratch: Arm = { test: [], seconds: [] };
  const finetune: Arm = { test: [], seconds: [] };
  const ds = loadDataset(target, { ...(targetClasses !== undefined ? { classes: targetClasses } : {}), labelFraction: fraction });
  const sizes = { train: ds.train.count, validation: ds.validation.count, test: ds.test.count };
  for (let s = 1; s <= seeds; s++) {
    const a = await runOne(data, SCRATCH, s, epochs);
    const b = await runOne({ ...data, baseModel: baseDir }, FINETUNE, s, epochs);
    scratch.test.push(a.test);
    scratch.seconds.push(a.seconds);
    finetune.test.push(b.test);
    finetune.seconds.push(b.seconds);
    log(`  ${target} ${fraction * 100}% labels, seed ${s}: scratch ${a.test.toFixed(4)} (${a.seconds.toFixed(0)} s), fine-tune ${b.test.toFixed(4)} (${b.seconds.toFixed(0)} s)`);
  }
  rows.push({ fraction, epochs, scratch, finetune, sizes });
}

const pct = (v: number): string => (v * 100).toFixed(2);
const lines: string[] = [];
lines.push(`Transfer ${target === 'mnist' ? 'MNIST 0–4 → 5–9' : 'MNIST 0–4 → Fashion-MNIST'}, ${MODEL}, built-in trainer (${backend}), ${seeds} seeds`);
lines.push('| labels | train / val images | epochs | scratch: test accuracy % (mean ± 95% CI) | fine-tuned | difference (paired) | p | fine-tune better in |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
const summary = rows.map((r) => {
  const a = meanInterval(r.scratch.test);
  const b = meanInterval(r.finetune.test);
  const d = r.finetune.test.map((v, i) => v - (r.scratch.test[i] as number));
  const dm = meanInterval(d);
  const t = pairedTTest(r.finetune.test, r.scratch.test);
  const wins = d.filter((x) => x > 0).length;
  const diff = d.length > 1 ? `${pct(dm.mean)} ± ${pct(studentTQuantile(0.975, d.length - 1) * (dm.sd / Math.sqrt(d.length)))}` : pct(dm.mean);
  lines.push(
    `| ${r.fraction * 100}% | ${r.sizes.train} / ${r.sizes.validation} | ${r.epochs} | ${pct(a.mean)} ± ${pct(a.halfWidth)} | ${pct(b.mean)} ± ${pct(b.halfWidth)} ` +
      `| ${diff} | ${t.p.toPrecision(2)} | ${wins}/${d.length} seeds |`,
  );
  const { fraction, epochs, sizes, scratch, finetune } = r;
  return { fraction, epochs, sizes, scratch, finetune, differenceMean: dm.mean, p: t.p, t: t.t, df: t.df };
});
const scratchSeconds = rows.reduce((s, r) => s + r.scratch.seconds.reduce((a, b) => a + b, 0), 0);
const tuneSeconds = rows.reduce((s, r) => s + r.finetune.seconds.reduce((a, b) => a + b, 0), 0);
lines.push(
  `Compute: each arm the same epochs × images per seed (test set: ${rows[0]?.sizes.test ?? '?'} images); ` +
    `wall ${scratchSeconds.toFixed(0)} s from scratch, ${tuneSeconds.toFixed(0)} s fine-tuning (frozen layers skip their backward pass)` +
    (pretrain !== null ? `; pretraining once: ${pretrain.imageEpochs} image-epochs, ${pretrain.seconds.toFixed(0)} s, test accuracy on 0–4 ${pct(pretrain.test)}` : `; base ${baseDir}`) +
    '.',
);
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${load0.toFixed(1)} at start, ${(loadavg()[0] as number).toFixed(1)} at end; ${started.toISOString()}.`);
process.stdout.write(lines.join('\n') + '\n');
if (out !== '') {
  mkdirSync(dirname(out), { recursive: true });
  const settings = { model: MODEL, pretrainSettings: PRETRAIN, finetuneRecipe: FINETUNE, scratch: SCRATCH, epochs: EPOCHS, seeds };
  const doc = { target, ...settings, pretrain, rows: summary, table: lines, started: started.toISOString() };
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
}
