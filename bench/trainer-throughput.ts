// Trials in any framework, one table: the built-in TF.js trainer (1 trial, 2 in parallel), PyTorch's
// examples/torch/train.py through hyperzone's command runner, the same train.py spawned bare, and a
// raw PyTorch loop (bench/torch_fnn_throughput.py), all on the same 784-512-10 FNN and real MNIST.
// Per row: training images/s, per-trial start-up, wall per trial, ratios against bare PyTorch; then
// what the command runner adds to a PyTorch trial (median of alternating runs).
// Then a CNN (Keras's mnist_cnn) in the built-in trainer against the same network in a raw PyTorch loop on 1 thread
// (per core) and on its default threads, on the same images, alternating; --cnn-only skips the FNN table.
// Run: flock /tmp/bench.lock npx tsx bench/trainer-throughput.ts [--quick] [--cnn-only] [--cnn-train N] [--reps N] [--threads T]
//        [--backend wasm|cpu|tensorflow]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataset } from '../src/datasets/resolve.js';
import { createCommandRunner } from '../src/runners/command/runner.js';
import type { BackendChoice } from '../src/runners/tfjs/backend.js';
import { createTfjsRunner } from '../src/runners/tfjs/runner.js';
import {
  FNN_PARAMS,
  median,
  outsideTrainingS,
  PYTHON,
  pythonInfo,
  runnerTimed,
  spawnTimed,
  startupS,
  steadyRate,
  type TrialTiming,
} from './throughput-trials.js';

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes('--quick');
const backend = (flag('--backend') ?? 'auto') as BackendChoice;
// Full: 30,000 MNIST images (24,000 trained per epoch after the 20% validation split), 3 epochs.
const trainLimit = quick ? 1500 : 30000;
const epochs = quick ? 2 : 3;
const reps = Number(flag('--reps') ?? (quick ? 1 : 5));
const trained = Math.floor(trainLimit * 0.8);
const seed = 1;
const cnnOnly = argv.includes('--cnn-only');
// CNN rows: fewer images (a CNN epoch costs ~50× an FNN epoch), 2 epochs, the second one timed.
const cnnTrainLimit = Number(flag('--cnn-train') ?? (quick ? 300 : 3000));
/** Keras's mnist_cnn as a built-in trainer model; bench/torch_fnn_throughput.py --model cnn builds the same. */
const CNN_PARAMS = { model: 'conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5', batch_size: 128, learning_rate: 0.001 } as const;

/** One table row: medians over the row's trials. */
interface Row {
  readonly name: string;
  readonly rate: number;
  readonly startupS: number;
  readonly firstEpochS: number;
  readonly wallS: number;
  readonly note: string;
}

const rowOf = (name: string, ts: readonly TrialTiming[], note = ''): Row => ({
  name,
  rate: median(ts.map((t) => steadyRate(t.epochs))),
  startupS: median(ts.map(startupS)),
  firstEpochS: median(ts.map((t) => t.firstEpochS)),
  wallS: median(ts.map((t) => t.wallS)),
  note,
});

/** `workers` built-in trials at once on a fresh pool (each pays worker start-up, backend and data load). */
async function tfjs(workers: number): Promise<{ row: Row; backend: string }> {
  const runner = createTfjsRunner({ dataset: 'mnist', trainLimit, testLimit: 100, backend, workers, metric: 'val_accuracy', direction: 'maximize' });
  try {
    await runner.prepare?.();
    const t0 = performance.now();
    const trials = await Promise.all(
      Array.from({ length: workers }, (_, i) => runnerTimed(runner, { trialId: i + 1, number: i, params: FNN_PARAMS, seed: seed + i, budget: epochs })),
    );
    const wallS = (performance.now() - t0) / 1000;
    if (workers === 1) return { row: rowOf(`TF.js built-in (${runner.backend}), 1 trial`, trials), backend: runner.backend };
    const rates = trials.map((t) => steadyRate(t.epochs));
    const mean = (f: (t: TrialTiming) => number): number => trials.reduce((s, t) => s + f(t), 0) / trials.length;
    return {
      row: {
        name: `TF.js built-in (${runner.backend}), ${workers} trials in parallel`,
        rate: rates.reduce((a, b) => a + b, 0),
        startupS: mean(startupS),
        firstEpochS: mean((t) => t.firstEpochS),
        wallS,
        note: `aggregate of ${rates.map((r) => Math.round(r)).join(' + ')}; wall for all ${workers}`,
      },
      backend: runner.backend,
    };
  } finally {
    await runner.close?.();
  }
}

type Mode = 'bare' | 'runner' | 'raw';
// Orders cycled through by the reps, so no mode always runs first or right after another.
const ORDERS: readonly (readonly Mode[])[] = [
  ['bare', 'runner', 'raw'],
  ['runner', 'bare', 'raw'],
  ['raw', 'bare', 'runner'],
  ['raw', 'runner', 'bare'],
  ['bare', 'raw', 'runner'],
  ['runner', 'raw', 'bare'],
];

/** Alternating reps of train.py bare, train.py through the command runner, and the raw loop. */
async function pytorch(threads: number, log: (line: string) => void): Promise<Record<Mode, TrialTiming[]>> {
  const work = mkdtempSync(join(tmpdir(), 'hz-bench-throughput-'));
  const trainPy = [PYTHON, 'examples/torch/train.py', '--train-limit', String(trainLimit), '--device', 'cpu', '--threads', String(threads)];
  const files = resolveDataset('mnist');
  const raw = [PYTHON, 'bench/torch_fnn_throughput.py', files.trainImages, files.trainLabels, '--train', String(trainLimit), '--epochs', String(epochs), '--threads', String(threads)];
  const paramsFile = join(work, 'bare-params.json');
  writeFileSync(paramsFile, JSON.stringify(FNN_PARAMS));
  // The protocol environment train.py reads; the runner sets the same (plus HZ_PARAM_* and ids).
  const bareEnv = { HZ_PARAMS_FILE: paramsFile, HZ_SEED: String(seed), HZ_BUDGET: String(epochs) };
  const runner = createCommandRunner({ command: trainPy, logDir: join(work, 'logs'), metric: 'val_accuracy', direction: 'maximize' });
  const out: Record<Mode, TrialTiming[]> = { bare: [], runner: [], raw: [] };
  try {
    await runner.prepare?.();
    if (!quick) await spawnTimed(trainPy, bareEnv); // page cache and bytecode cache warm for everyone
    for (let i = 0; i < reps; i++) {
      for (const mode of ORDERS[i % ORDERS.length] ?? []) {
        const t =
          mode === 'bare'
            ? await spawnTimed(trainPy, bareEnv)
            : mode === 'raw'
              ? await spawnTimed(raw, {})
              : await runnerTimed(runner, { trialId: i + 1, number: i, params: FNN_PARAMS, seed, budget: epochs });
        out[mode].push(t);
        log(
          `  rep ${i + 1} ${mode.padEnd(6)} wall ${t.wallS.toFixed(3)} s  start-up ${startupS(t).toFixed(3)} s  ` +
            `outside training ${outsideTrainingS(t).toFixed(3)} s  ${Math.round(steadyRate(t.epochs))} images/s`,
        );
      }
    }
    return out;
  } finally {
    await runner.close?.();
    rmSync(work, { recursive: true, force: true });
  }
}

const int = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');
const sec = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const times = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
const pct = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}%`;

function printTable(rows: readonly Row[], bare: Row | undefined): void {
  const head = ['runner', 'images/s', '× bare', 'start-up s', 'spawn→1st epoch s', 'wall/trial s', 'wall × bare', 'notes'];
  const cells = rows.map((r) => [
    r.name,
    int(r.rate),
    bare ? times(r.rate / bare.rate) : 'n/a',
    sec(r.startupS),
    sec(r.firstEpochS),
    sec(r.wallS),
    bare ? times(r.wallS / bare.wallS) : 'n/a',
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string => `| ${c.map((x, i) => (i === 0 || i === c.length - 1 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 || i === widths.length - 1 ? `-${'-'.repeat(w)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

/** The CNN rows: the built-in trainer (1 trial) and the raw PyTorch loop on 1 thread and on `threads`, alternating. */
async function cnn(threads: number): Promise<void> {
  const epochsCnn = 2;
  const files = resolveDataset('mnist');
  const raw = (t: number): string[] => [PYTHON, 'bench/torch_fnn_throughput.py', files.trainImages, files.trainLabels, '--model', 'cnn', '--train', String(cnnTrainLimit), '--epochs', String(epochsCnn), '--threads', String(t)];
  const runner = createTfjsRunner({ dataset: 'mnist', trainLimit: cnnTrainLimit, testLimit: 100, backend, workers: 1, metric: 'val_accuracy', direction: 'maximize' });
  const tf: TrialTiming[] = [];
  const one: TrialTiming[] = [];
  const many: TrialTiming[] = [];
  const cnnReps = Math.max(1, Math.min(reps, 3));
  console.log(`CNN (Keras mnist_cnn: conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5, Adam 1e-3, batch 128), ${Math.floor(cnnTrainLimit * 0.8)} MNIST images × ${epochsCnn} epochs, ${cnnReps} alternating rep(s)`);
  try {
    await runner.prepare?.();
    for (let i = 0; i < cnnReps; i++) {
      const t = await runnerTimed(runner, { trialId: 100 + i, number: i, params: CNN_PARAMS, seed, budget: epochsCnn });
      tf.push(t);
      console.log(`  rep ${i + 1} TF.js (${runner.backend}) ${Math.round(steadyRate(t.epochs))} images/s; parameters ${t.epochs.length > 0 ? 'recorded' : 'n/a'}`);
      if (!('error' in pythonInfo())) {
        const a = await spawnTimed(raw(1), {});
        one.push(a);
        console.log(`  rep ${i + 1} PyTorch 1 thread ${Math.round(steadyRate(a.epochs))} images/s`);
        if (threads > 1) {
          const b = await spawnTimed(raw(threads), {});
          many.push(b);
          console.log(`  rep ${i + 1} PyTorch ${threads} threads ${Math.round(steadyRate(b.epochs))} images/s`);
        }
      }
    }
  } finally {
    await runner.close?.();
  }
  const rate = (ts: readonly TrialTiming[]): number => (ts.length > 0 ? median(ts.map((t) => steadyRate(t.epochs))) : Number.NaN);
  const rows: Row[] = [rowOf(`CNN, TF.js built-in (${runner.backend}, 1 thread), 1 trial`, tf)];
  if (one.length > 0) rows.push(rowOf('CNN, raw PyTorch loop, 1 thread (the per-core peer)', one, 'no validation, no protocol'));
  if (many.length > 0) rows.push(rowOf(`CNN, raw PyTorch loop, ${threads} threads`, many, 'no validation, no protocol'));
  console.log('');
  printTable(rows, one.length > 0 ? rows[1] : undefined);
  console.log(
    `CNN ratio per core (TF.js 1 thread / PyTorch 1 thread, images/s): ${times(rate(tf) / rate(one))} (target ≥ 0.30×)` +
      (many.length > 0 ? `; against PyTorch on ${threads} threads: ${times(rate(tf) / rate(many))}` : ''),
  );
}

async function main(): Promise<void> {
  const info = pythonInfo();
  const threads = Number(flag('--threads') ?? ('threads' in info ? info.threads : 1));
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  if (cnnOnly) {
    await cnn(threads);
    return;
  }
  console.log(`trials in any framework: FNN 784-512-10 (ReLU, dropout 0.2, Adam 1e-3), batch 128, real MNIST, ${trained} images × ${epochs} epochs per trial${quick ? ' (quick)' : ''}`);
  const single = await tfjs(1);
  const parallel = await tfjs(2);
  const rows: Row[] = [single.row, parallel.row];
  let torch: Record<Mode, TrialTiming[]> | { error: string } = 'error' in info ? info : { error: '' };
  if (!('error' in info)) {
    console.log(`PyTorch: ${reps} alternating rep(s) of each (bare train.py, through hyperzone, raw loop)`);
    try {
      torch = await pytorch(threads, (l) => console.log(l));
    } catch (e) {
      torch = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  let bare: Row | undefined;
  if (!('error' in torch)) {
    bare = rowOf('bare PyTorch (train.py spawned directly)', torch.bare, 'the peer');
    rows.push(
      rowOf('PyTorch through hyperzone (command runner + train.py)', torch.runner, 'params file, protocol, logs'),
      bare,
      rowOf('raw PyTorch loop (torch_fnn_throughput.py)', torch.raw, 'no validation, no protocol'),
    );
  }
  console.log('');
  const py = 'error' in info ? `PyTorch unavailable (${info.error})` : `torch ${info.torch} on ${PYTHON}, torch.get_num_threads() = ${info.threads} (PyTorch rows run with ${threads}), libopenblas0-pthread ${info.openblasPthread ? 'installed' : 'NOT installed'}`;
  console.log(`TF.js backend: ${single.backend}; ${py}; medians over ${reps} rep(s) for PyTorch rows`);
  printTable(rows, bare);
  if (bare === undefined || 'error' in torch) {
    console.log(`ratio vs bare PyTorch: n/a (PyTorch peer failed: ${'error' in torch ? torch.error : ''})`);
    await cnn(threads);
    return;
  }
  const r = (row: Row | undefined): string => times((row?.rate ?? Number.NaN) / bare.rate);
  console.log(`ratio vs bare PyTorch (images/s): TF.js 1 trial ${r(rows[0])}, TF.js 2-trial aggregate ${r(rows[1])}, through hyperzone ${r(rows[2])}, raw loop ${r(rows[4])}`);
  // Other processes on a shared CPU slow the training phase at random, so three measures: the median
  // walls, the median of per-rep differences, and the time outside the epochs train.py timed itself
  // (spawn, params file, env, pipes, logs, exit), which is what the runner can add.
  const wallB = bare.wallS;
  const wallR = median(torch.runner.map((t) => t.wallS));
  const paired = median(torch.runner.map((t, i) => t.wallS - (torch.bare[i]?.wallS ?? Number.NaN)));
  const outside = median(torch.runner.map(outsideTrainingS)) - median(torch.bare.map(outsideTrainingS));
  const walls = torch.bare.map((t) => t.wallS);
  const spread = ((Math.max(...walls) - Math.min(...walls)) / wallB) * 100;
  const headline = ((wallR - wallB) / wallB) * 100;
  console.log(
    `hyperzone overhead on a PyTorch trial: ${pct(headline)} (median wall ${wallR.toFixed(3)} s through the command runner vs ${wallB.toFixed(3)} s bare, ${reps} alternating rep(s); target < 2%)`,
  );
  console.log(
    `  paired per-rep difference ${(paired * 1000).toFixed(0)} ms = ${pct((paired / wallB) * 100)}; time outside training added ${(outside * 1000).toFixed(0)} ms = ${pct((outside / wallB) * 100)}; ` +
      `CPU noise: bare walls spread ${spread.toFixed(1)}% of the median across reps (2 shared cores)`,
  );
  console.log('');
  await cnn(threads);
}

await main();
