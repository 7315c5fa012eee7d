import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

it('trainer-throughput --quick prints a table and a hyperzone/PyTorch ratio line', () => {
  const script = fileURLToPath(new URL('./trainer-throughput.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--quick'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hyperzone tfjs \((wasm|cpu|tensorflow)\), 1 trial\s+[\d,]+/);
  assert.match(r.stdout, /2 trials in parallel\s+[\d,]+/);
  // The ratio line is there whether or not the PyTorch peer could run; with the peer it is numeric.
  assert.match(r.stdout, /^ratio hyperzone\/PyTorch: (1 trial \d+\.\d\d×, 2-trial aggregate \d+\.\d\d×|n\/a \(.+\))/m);
});
