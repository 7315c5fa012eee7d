// End-to-end: `hyperzone dashboard` from the compiled CLI (dist/, built by `npm test`): bad flags exit 2 before anything
// listens, a missing storage is not created, it serves until SIGINT (exit 0), and another host warns and takes a token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { addTrials, createTestStudy } from '../../src/dashboard/test-study.js';

const CLI = resolve('dist/cli/main.js');

function run(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the dashboard and resolves with its URL (from its first line) and the process. */
type Served = { url: string; stderr: () => string; stop: () => Promise<number | null> };
function serve(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'dashboard', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolveUrl, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(http:\/\/\S+?\/)/.exec(out);
      if (m) resolveUrl({ url: m[1] as string, stderr: () => err, stop: () => (child.kill('SIGINT'), exited) });
    });
    void exited.then((code) => reject(new Error(`dashboard exited ${code} before listening: ${err}`)));
  });
}

test('hyperzone dashboard: flags and storage checked first (exit 2), serves until SIGINT (exit 0)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-dash-cli-'));
  const missing = run(['dashboard', '--storage', 'nothing.db', '--port', '0'], dir);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /No storage at nothing\.db/);
  assert.equal(existsSync(join(dir, 'nothing.db')), false, 'a read-only command creates no storage');
  const storage = new SqliteStorage(join(dir, 'hz.db'));
  await addTrials(storage, await createTestStudy(storage, 'demo'), 0, 5, 3);
  await storage.close();
  const badPort = run(['dashboard', '--storage', 'hz.db', '--port', 'eighty'], dir);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /Expected `--port` to be an integer from 0 to 65535, got "eighty"/);
  const shortToken = run(['dashboard', '--storage', 'hz.db', '--host', '0.0.0.0', '--token', 'abc'], dir);
  assert.equal(shortToken.code, 2);
  assert.match(shortToken.stderr, /at least 8 characters/);

  const d = await serve(['--storage', 'hz.db', '--port', '0'], dir);
  assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'loopback by default');
  const studies = await (await fetch(`${d.url}api/studies`)).json() as { studies: { name: string; total: number }[] };
  assert.deepEqual(studies.studies.map((s) => [s.name, s.total]), [['demo', 5]]);
  assert.equal(d.stderr(), '', 'no warning on loopback');
  assert.equal(await d.stop(), 0);
});

test('hyperzone dashboard --host 0.0.0.0 warns, and HYPERZONE_DASHBOARD_TOKEN is required on every request', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-dash-cli-'));
  const storage = new SqliteStorage(join(dir, 'hz.db'));
  await createTestStudy(storage, 'demo');
  await storage.close();
  const d = await serve(['--storage', 'hz.db', '--port', '0', '--host', '0.0.0.0'], dir, { ...process.env, HYPERZONE_DASHBOARD_TOKEN: 'token-for-test' });
  try {
    const base = d.url.replace('0.0.0.0', '127.0.0.1');
    assert.match(d.stderr(), /warning: listening on 0\.0\.0\.0, not only this machine/);
    assert.equal((await fetch(`${base}api/studies`)).status, 401);
    assert.equal((await fetch(`${base}api/studies?token=token-for-test`)).status, 200);
  } finally {
    assert.equal(await d.stop(), 0);
  }
});
