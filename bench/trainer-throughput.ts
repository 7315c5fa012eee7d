// Training throughput of the built-in TF.js trainer against PyTorch on the same FNN and data.
// Run: flock /tmp/bench.lock npx tsx bench/trainer-throughput.ts [--quick] [--backend wasm|cpu|tensorflow]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolveDataset } from '../src/datasets/resolve.js';
import type { Metrics } from '../src/study/types.js';
import type { BackendChoice } from '../src/runners/tfjs/backend.js';
import { createTfjsRunner } from '../src/runners/tfjs/runner.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const backendArg = args[args.indexOf('--backend') + 1];
const backend = (args.includes('--backend') ? backendArg : 'auto') as BackendChoice;
// Full: 12,000 MNIST images (9,600 trained per epoch after the 20% validation split), 3 epochs.
const trainLimit = quick ? 1500 : 12000;
const epochs = quick ? 2 : 3;
const params = { units: 512, dropout: 0.2, batch_size: 128, learning_rate: 0.001 };

/** Mean images/s over epochs after the first (the first pays one-time setup), or the only one. */
function steadyRate(reports: readonly Metrics[]): number {
  const rates = reports.map((m) => m['images_per_second'] ?? Number.NaN);
  const steady = rates.length > 1 ? rates.slice(1) : rates;
  return steady.reduce((a, b) => a + b, 0) / steady.length;
}

async function hyperzone(workers: number): Promise<{ rates: number[]; wallRate: number; backend: string }> {
  const runner = createTfjsRunner({ dataset: 'mnist', trainLimit, testLimit: 100, backend, workers, metric: 'val_accuracy', direction: 'maximize' });
  try {
    await runner.prepare?.();
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: workers }, async (_, i) => {
        const reports: Metrics[] = [];
        const outcome = await runner.run(
          { trialId: i + 1, number: i, params, seed: 1 + i, budget: epochs },
          { report: (_s, m) => void reports.push(m), signal: new AbortController().signal },
        );
        if (outcome.state !== 'complete') throw new Error(`benchmark trial ended ${outcome.state}: ${JSON.stringify(outcome)}`);
        return steadyRate(reports);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const images = workers * epochs * Math.floor(trainLimit * 0.8);
    return { rates: results, wallRate: images / seconds, backend: runner.backend };
  } finally {
    await runner.close?.();
  }
}

function pytorch(): { rate: number; threads: number; version: string } | { error: string } {
  const files = resolveDataset('mnist');
  const script = fileURLToPath(new URL('./torch_fnn_throughput.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, files.trainImages, files.trainLabels, '--train', String(trainLimit), '--epochs', String(epochs)], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.error !== undefined) return { error: r.error.message };
  if (r.status !== 0) return { error: `exit ${r.status}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0] ?? '') as { images_per_second: number; threads: number; torch: string };
    return { rate: j.images_per_second, threads: j.threads, version: j.torch };
  } catch (e) {
    return { error: `unreadable output: ${r.stdout.slice(0, 200)}` };
  }
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US').padStart(9);
console.log(`trainer throughput: FNN 784-512-10 (ReLU, dropout 0.2, Adam), batch 128, MNIST, ${Math.floor(trainLimit * 0.8)} images × ${epochs} epochs${quick ? ' (quick)' : ''}`);
const single = await hyperzone(1);
const parallel = await hyperzone(2);
const torch = pytorch();
const aggregate = parallel.rates.reduce((a, b) => a + b, 0);
const rows: [string, string, string][] = [
  [`hyperzone tfjs (${single.backend}), 1 trial`, fmt(single.rates[0] ?? Number.NaN), `wall incl. startup+validation ${fmt(single.wallRate).trim()}`],
  [`hyperzone tfjs (${parallel.backend}), 2 trials in parallel`, fmt(aggregate), `per trial ${parallel.rates.map((r) => fmt(r).trim()).join(' + ')}; wall ${fmt(parallel.wallRate).trim()}`],
];
if ('rate' in torch) rows.push([`PyTorch ${torch.version} CPU (${torch.threads} thread${torch.threads === 1 ? '' : 's'})`, fmt(torch.rate), '']);
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'runner'.padEnd(w)}  images/s   notes`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b}   ${c}`);
if ('rate' in torch) {
  console.log(`ratio hyperzone/PyTorch: 1 trial ${(single.rates[0]! / torch.rate).toFixed(2)}×, 2-trial aggregate ${(aggregate / torch.rate).toFixed(2)}× (target ≥ 0.5×)`);
} else {
  console.log(`ratio hyperzone/PyTorch: n/a (PyTorch peer failed: ${torch.error})`);
}
