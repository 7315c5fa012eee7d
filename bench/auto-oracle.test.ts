import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as peers from '../test/support/peers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const naval = peers.benchData('fcnet-naval_propulsion.csv.gz');

test('auto-oracle prints pick, best-observed and oracle counts; the oracle is never worse than the pick', { skip: peers.skipUnless(naval) }, () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/auto-oracle.ts', '5000', '2', 'naval_propulsion', '45'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.error ? `${r.error.message} (a loaded machine?)` : r.stderr);
  const row = (name: string): number[] => (r.stdout.match(new RegExp(`^  ${name}\\s+(.*)$`, 'm'))?.[1] ?? '').trim().split(' ').map(Number);
  const pick = row('pick'), oracle = row('oracle');
  assert.equal(pick.length, 2);
  assert.ok(oracle.every((o, i) => o <= (pick[i] as number)), `oracle ${oracle} vs pick ${pick}`);
});
