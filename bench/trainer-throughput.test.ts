import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import * as peers from '../test/support/peers.js';

const torch = peers.torch();
const n = String.raw`[\d,]+ \| +(\d+\.\d\d×|n/a) \| +-?\d+\.\d\d \| +\d+\.\d\d \| +\d+\.\d\d \| +(\d+\.\d\d×|n/a) \|`;

// Quick mode: every row runs and the table, ratio and overhead lines print. No timing assertions.
// One run serves both tests (it trains networks); the PyTorch rows are their own test, skipped without PyTorch.
let output: string | null = null;
function quickRun(): string {
  if (output !== null) return output;
  const script = fileURLToPath(new URL('./trainer-throughput.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--quick'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  output = r.stdout;
  return output;
}

it('trainer-throughput --quick prints the TF.js rows of its table', { timeout: 320_000 }, () => {
  const out = quickRun();
  assert.match(out, /^TF\.js backend: (wasm|cpu|tensorflow); /m);
  assert.match(out, new RegExp(String.raw`^\| TF\.js built-in \((wasm|cpu|tensorflow)\), 1 trial +\| +${n}`, 'm'));
  assert.match(out, new RegExp(String.raw`^\| TF\.js built-in \((wasm|cpu|tensorflow)\), 2 trials in parallel +\| +${n} aggregate of \d+ \+ \d+`, 'm'));
  if (!peers.present(torch)) assert.match(out, /^ratio vs bare PyTorch: n\/a \(.+\)/m);
});

it('trainer-throughput --quick prints the PyTorch rows: through hyperzone, bare and raw', { timeout: 320_000, skip: peers.skipUnless(torch) }, () => {
  const out = quickRun();
  assert.match(out, /torch\.get_num_threads\(\) = \d+ \(PyTorch rows run with \d+\), libopenblas0-pthread (installed|NOT installed)/);
  for (const mode of ['bare', 'runner', 'raw']) assert.match(out, new RegExp(`^  rep 1 ${mode} +wall [\\d.]+ s .* \\d+ images/s$`, 'm'));
  assert.match(out, new RegExp(String.raw`^\| PyTorch through hyperzone \(command runner \+ train\.py\) +\| +${n}`, 'm'));
  assert.match(out, new RegExp(String.raw`^\| bare PyTorch \(train\.py spawned directly\) +\| +[\d,]+ \| +1\.00× \| .* \| +1\.00× \| the peer`, 'm'));
  assert.match(out, new RegExp(String.raw`^\| raw PyTorch loop \(torch_fnn_throughput\.py\) +\| +${n}`, 'm'));
  assert.match(out, /^ratio vs bare PyTorch \(images\/s\): TF\.js 1 trial \d+\.\d\d×, TF\.js 2-trial aggregate \d+\.\d\d×, through hyperzone \d+\.\d\d×, raw loop \d+\.\d\d×$/m);
  assert.match(out, /^hyperzone overhead on a PyTorch trial: [+-]\d+\.\d\d% \(median wall [\d.]+ s through the command runner vs [\d.]+ s bare, 1 alternating rep\(s\); target < 2%\)$/m);
  assert.match(out, /paired per-rep difference -?\d+ ms = [+-][\d.]+%; time outside training added -?\d+ ms = [+-][\d.]+%; CPU noise/);
});

it('trainer-throughput --quick prints the CNN rows and the per-core ratio', { timeout: 320_000, skip: peers.skipUnless(torch) }, () => {
  const out = quickRun();
  assert.match(out, /^load average [\d.]+ [\d.]+ [\d.]+ on \d+ cores$/m);
  assert.match(out, new RegExp(String.raw`^\| CNN, TF\.js built-in \((wasm|cpu|tensorflow), 1 thread\), 1 trial +\| +${n}`, 'm'));
  assert.match(out, new RegExp(String.raw`^\| CNN, raw PyTorch loop, 1 thread \(the per-core peer\) +\| +[\d,]+ \| +1\.00× \|`, 'm'));
  assert.match(out, /^CNN ratio per core \(TF\.js 1 thread \/ PyTorch 1 thread, images\/s\): \d+\.\d\d× \(target ≥ 0\.30×\)/m);
});
