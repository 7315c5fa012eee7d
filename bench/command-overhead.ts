// What does running a trial through hyperzone's command runner cost, against running the same
// PyTorch script bare? Both spawn /usr/bin/python3 examples/torch/train.py with identical arguments
// and environment and read its stdout; the runner adds params files, protocol parsing, log streaming
// and process-group handling. Run: npx tsx bench/command-overhead.ts [--quick]  (under flock /tmp/bench.lock)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCommandRunner } from '../src/runners/command/runner.js';

const quick = process.argv.includes('--quick');
const repo = resolve(import.meta.dirname, '..');
const python = '/usr/bin/python3';
const trainLimit = quick ? 3000 : 30000;
const epochs = quick ? 1 : 3;
const reps = quick ? 1 : 5;
const params = { units: 512, batch_size: 128, dropout: 0, learning_rate: 0.001, lr_schedule: 'none' };
const seed = 1;
const args = ['examples/torch/train.py', '--train-limit', String(trainLimit), '--device', 'cpu', '--threads', '1'];
const work = mkdtempSync(join(tmpdir(), 'hz-bench-cmd-'));

interface Run {
  wallS: number;
  trainS: number; // sum of epoch_seconds the script itself measured
  imagesPerSecond: number;
}

function summarize(wallS: number, epochsSeen: { epoch_seconds?: number; images_per_second?: number }[]): Run {
  const trainS = epochsSeen.reduce((s, e) => s + (e.epoch_seconds ?? 0), 0);
  const ips = epochsSeen.reduce((s, e) => s + (e.images_per_second ?? 0), 0) / Math.max(epochsSeen.length, 1);
  return { wallS, trainS, imagesPerSecond: ips };
}

/** The peer: spawn the script directly, read its stdout lines, time spawn → exit. */
function bare(): Promise<Run> {
  const paramsFile = join(work, 'bare-params.json');
  writeFileSync(paramsFile, JSON.stringify(params));
  const env = { ...process.env, PYTHONUNBUFFERED: '1', HZ_PARAMS_FILE: paramsFile, HZ_SEED: String(seed), HZ_BUDGET: String(epochs) };
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(python, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (text += s));
    child.on('error', fail);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (code !== 0) return fail(new Error(`bare run exited with ${code}`));
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { epoch_seconds?: number; images_per_second?: number });
      done(summarize(wallS, lines));
    });
  });
}

const runner = createCommandRunner({ command: [python, ...args], cwd: repo, logDir: join(work, 'logs'), metric: 'val_accuracy', direction: 'maximize' });
let trialNumber = 0;

/** The same trial through createCommandRunner, timed from run() to its outcome. */
async function viaRunner(): Promise<Run> {
  const steps: { epoch_seconds?: number; images_per_second?: number }[] = [];
  const t0 = performance.now();
  const out = await runner.run(
    { trialId: trialNumber, number: trialNumber++, params, seed, budget: epochs },
    { signal: new AbortController().signal, report: (_s, m) => void steps.push(m) },
  );
  const wallS = (performance.now() - t0) / 1000;
  if (out.state !== 'complete') throw new Error(`runner trial ended ${out.state}: ${JSON.stringify(out)}`);
  return summarize(wallS, steps);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  await runner.prepare!();
  console.log(`command-runner overhead: 784-512-10 FNN, batch 128, ${epochs} epoch(s) on ${Math.floor(trainLimit * 0.8)} MNIST images, CPU 1 thread, ${reps} rep(s) each, alternating`);
  const results: Record<'bare' | 'runner', Run[]> = { bare: [], runner: [] };
  await bare(); // warm the page cache and Python's bytecode cache so neither side pays it
  for (let i = 0; i < reps; i++) {
    for (const mode of i % 2 === 0 ? (['bare', 'runner'] as const) : (['runner', 'bare'] as const)) {
      const r = mode === 'bare' ? await bare() : await viaRunner();
      results[mode].push(r);
      console.log(
        `  rep ${i + 1} ${mode.padEnd(6)} wall ${r.wallS.toFixed(3)} s  training ${r.trainS.toFixed(3)} s  start-up+exit ${(r.wallS - r.trainS).toFixed(3)} s  ${Math.round(r.imagesPerSecond)} images/s`,
      );
    }
  }
  const m = (mode: 'bare' | 'runner', f: (r: Run) => number) => median(results[mode].map(f));
  const wallB = m('bare', (r) => r.wallS);
  const wallR = m('runner', (r) => r.wallS);
  const startB = m('bare', (r) => r.wallS - r.trainS);
  const startR = m('runner', (r) => r.wallS - r.trainS);
  console.log(`  median per-trial start-up+exit: bare ${startB.toFixed(3)} s, runner ${startR.toFixed(3)} s`);
  console.log(`  median images/s: bare ${Math.round(m('bare', (r) => r.imagesPerSecond))}, runner ${Math.round(m('runner', (r) => r.imagesPerSecond))}`);
  const minB = Math.min(...results.bare.map((r) => r.wallS));
  const minR = Math.min(...results.runner.map((r) => r.wallS));
  // Other processes on a shared CPU slow the training phase at random; time outside training is
  // what the runner can add (spawn, params file, env, pipes, logs, exit), so it is the robust measure.
  const addedS = startR - startB;
  console.log(
    `  fastest wall: bare ${minB.toFixed(3)} s, runner ${minR.toFixed(3)} s (${(((minR - minB) / minB) * 100).toFixed(2)}%); ` +
      `time outside training added by the runner: ${(addedS * 1000).toFixed(0)} ms = ${((addedS / wallB) * 100).toFixed(2)}% of a bare trial`,
  );
  const pct = ((wallR - wallB) / wallB) * 100;
  console.log(
    `comparison: command runner ${wallR.toFixed(3)} s vs bare python ${wallB.toFixed(3)} s per trial (median wall): overhead ${pct >= 0 ? '+' : ''}${pct.toFixed(2)}% (${((wallR - wallB) * 1000).toFixed(0)} ms; target < 2%)`,
  );
}

try {
  await main();
} finally {
  await runner.close?.();
  rmSync(work, { recursive: true, force: true });
}
