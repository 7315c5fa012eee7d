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
  });
});
