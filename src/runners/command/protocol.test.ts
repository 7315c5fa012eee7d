import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isProtocolLine, parseProtocolLine } from './protocol.js';

describe('protocol lines', () => {
  it('recognises JSON objects with keys, not other output', () => {
    assert.equal(isProtocolLine(Buffer.from('  {"step": 1}')), true);
    assert.equal(isProtocolLine(Buffer.from("{'units': 128}")), false); // a Python dict print
    assert.equal(isProtocolLine(Buffer.from('Epoch 1/3')), false);
    assert.equal(isProtocolLine(Buffer.from('{}')), false);
  });

  it('parses steps and finals and names bad fields', () => {
    assert.deepEqual(parseProtocolLine('{"step": 2, "val_accuracy": 0.9, "device": "cpu"}'), {
      ok: true,
      line: { kind: 'step', step: 2, metrics: { val_accuracy: 0.9 } },
    });
    assert.deepEqual(parseProtocolLine('{"final": {"test_accuracy": 0.98}}'), { ok: true, line: { kind: 'final', metrics: { test_accuracy: 0.98 } } });
    const bad = (s: string) => {
      const r = parseProtocolLine(s);
      assert.equal(r.ok, false, s);
      return r.ok ? '' : r.error;
    };
    assert.match(bad('{"step": -1}'), /Expected "step" to be an integer ≥ 0, got -1/);
    assert.match(bad('{"step": 1.5}'), /got 1.5/);
    assert.match(bad('{"step": 1, "loss": Infinity}'), /non-finite metric `loss`: Infinity/);
    assert.match(bad('{"step": 1, "loss": -Infinity}'), /-Infinity/);
    assert.match(bad('{"step": 1, "loss": [1]}'), /must be a number/);
    assert.match(bad('{"loss": 1}'), /needs a "step" or a "final"/);
    assert.match(bad('{"final": 3}'), /"final" to be an object/);
    assert.match(bad('{"step": 1, "x": "NaN is fine in a string", "loss": 1'), /malformed/);
    // Binary output on a metric line: escaped in the error, never raw.
    const binary = bad('{"step": 1, "value": \u0000\u00ff\u001b[31m\u0085}');
    assert.match(binary, /malformed JSON metric line: .*\\u0000ÿ\\u001b\[31m\\u0085/);
    assert.doesNotMatch(binary, /[\u0000\u001b\u0085]/);
  });
});

describe('the objective metric', () => {
  it('must be a number: a string or boolean under its key fails the line, naming key and value; other notes are skipped', () => {
    const r = parseProtocolLine('{"step": 1, "val_accuracy": "high", "device": "cpu"}', { metric: 'val_accuracy' });
    assert.deepEqual(r, { ok: false, error: 'Expected the objective metric `val_accuracy` to be a number, got "high"' });
    const f = parseProtocolLine('{"final": {"val_accuracy": true}}', { metric: 'val_accuracy' });
    assert.equal(f.ok, false);
    assert.match(f.ok ? '' : f.error, /`val_accuracy` to be a number, got true/);
    // The same line with another objective: the string is a note, skipped.
    assert.deepEqual(parseProtocolLine('{"step": 1, "val_accuracy": "high", "loss": 0.5}', { metric: 'loss' }), { ok: true, line: { kind: 'step', step: 1, metrics: { loss: 0.5 } } });
  });
});
