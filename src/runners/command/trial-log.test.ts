import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_LOG_MAX_BYTES, TrialLog } from './trial-log.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('TrialLog', () => {
  it('writes everything below the cap, unchanged', async () => {
    const path = join(dir, 'small.log');
    const log = new TrialLog(path, { maxBytes: 4096 });
    log.line('one');
    log.line(Buffer.from([0x74, 0x00, 0xff]));
    log.line('cut', 12);
    await log.close();
    assert.deepEqual(readFileSync(path), Buffer.concat([Buffer.from('one\nt'), Buffer.from([0x00, 0xff]), Buffer.from('\ncut … [truncated: 12 more bytes]\n')]));
    assert.equal(log.tailText(), 'one\nt\u0000\uFFFD\ncut');
  });

  it('past the cap keeps the head, a marker with the exact count dropped, and the tail (the ring wraps)', async () => {
    const path = join(dir, 'big.log');
    const cap = 8192;
    const log = new TrialLog(path, { maxBytes: cap, tailLines: 2 });
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${String(i).padStart(5, '0')}`); // 11 bytes each with \n
    for (const l of lines) log.line(l);
    await log.close();
    const text = readFileSync(path, 'utf8');
    assert.ok(statSync(path).size <= cap, `${statSync(path).size} bytes`);
    const all = lines.map((l) => `${l}\n`).join('');
    // Room = cap - 512 reserved for markers; the tail gets half of it (under 1 MiB), the head the rest.
    const room = cap - 512;
    const ring = Math.floor(room / 2);
    const head = room - ring;
    const headMarker = `\n=== hyperzone: log_max_bytes (${cap}) reached; only the last part of the output follows ===\n`;
    const dropMarker = `=== hyperzone: ${all.length - head - ring} bytes dropped here ===\n`;
    assert.equal(text, all.slice(0, head) + headMarker + dropMarker + all.slice(all.length - ring));
    assert.equal(log.tailText(), 'line 04998\nline 04999');
  });

  it('moves an earlier attempt\'s log aside, so that each file has one writer and stays within the cap', async () => {
    const path = join(dir, 'retry.log');
    writeFileSync(path, 'attempt one\n');
    writeFileSync(`${path}.1`, 'attempt zero\n');
    const second = new TrialLog(path, { maxBytes: 8192 });
    // The first attempt's worker, presumed lost, still writes: to the file it opened, now moved aside.
    for (let i = 0; i < 1000; i++) second.line(`attempt two, line ${i}`);
    await second.close();
    assert.equal(readFileSync(`${path}.1`, 'utf8'), 'attempt zero\n');
    assert.equal(readFileSync(`${path}.2`, 'utf8'), 'attempt one\n');
    assert.match(readFileSync(path, 'utf8'), /^attempt two, line 0\n/);
    assert.ok(statSync(path).size <= 8192 && statSync(path).size > 7500, `${statSync(path).size} bytes`);
  });

  it('counts what is already in the file against the cap when it is appended to', async () => {
    const path = join(dir, 'kept.log');
    writeFileSync(path, 'x'.repeat(6000));
    const log = new TrialLog(path, { maxBytes: 8192, rotate: false });
    for (let i = 0; i < 1000; i++) log.line(`attempt two, line ${i}`);
    await log.close();
    const size = statSync(path).size;
    assert.match(readFileSync(path, 'utf8'), /^x{6000}attempt two, line 0\n/);
    assert.ok(size <= 8192 && size > 7500, `${size} bytes`);
    // A file already at its cap takes no more than fits.
    const full = new TrialLog(path, { maxBytes: 8192, rotate: false });
    for (let i = 0; i < 100; i++) full.line(`attempt three, line ${i}`);
    await full.close();
    assert.ok(statSync(path).size <= 8192);
  });

  it('defaults to a 10 MiB cap', () => {
    assert.equal(DEFAULT_LOG_MAX_BYTES, 10 * 1024 * 1024);
  });
});
