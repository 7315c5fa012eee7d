import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatNumber, formatParams, formatParamValue } from './format.js';
import { renderTable } from './text-table.js';

describe('formatNumber', () => {
  it('shows non-integers to 4 significant digits, keeping zeros so a column reads at one precision', () => {
    assert.equal(formatNumber(0.9587123), '0.9587');
    assert.equal(formatNumber(0.865), '0.8650');
    assert.equal(formatNumber(0.08123456), '0.08123');
    assert.equal(formatNumber(0.00123456), '0.001235');
    assert.equal(formatNumber(12.3456), '12.35');
    assert.equal(formatNumber(-3.14159), '-3.142');
    assert.equal(formatNumber(0.99999), '1.000');
  });

  it('drops trailing zeros when asked', () => {
    assert.equal(formatNumber(0.865, { trim: true }), '0.865');
    assert.equal(formatNumber(0.001, { trim: true }), '0.001');
    assert.equal(formatNumber(0.99999, { trim: true }), '1');
    assert.equal(formatNumber(1e-5, { trim: true }), '1e-5');
  });

  it('uses exponent form below 0.001 (the issue\'s raw float) and beyond 1e15', () => {
    assert.equal(formatNumber(0.00040324729734820815), '4.032e-4');
    assert.equal(formatNumber(1e-5), '1.000e-5');
    assert.equal(formatNumber(-2.5e-7), '-2.500e-7');
    assert.equal(formatNumber(1.5e21), '1.500e21');
  });

  it('shows integers in full with thousands separators, or without when asked', () => {
    assert.equal(formatNumber(407050), '407,050');
    assert.equal(formatNumber(8192), '8,192');
    assert.equal(formatNumber(8192, { grouping: false }), '8192');
    assert.equal(formatNumber(512), '512');
    assert.equal(formatNumber(0), '0');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(-12000), '-12,000');
  });

  it('rounds large non-integers to at least the integer, never to an exponent', () => {
    assert.equal(formatNumber(10661.23), '10,661');
    assert.equal(formatNumber(1234.5678), '1,235');
    assert.equal(formatNumber(1234.5678, { digits: 6 }), '1,234.57');
    assert.equal(formatNumber(123456.7, { grouping: false }), '123457');
  });

  it('takes the number of significant digits', () => {
    assert.equal(formatNumber(0.98765432, { digits: 6 }), '0.987654');
    assert.equal(formatNumber(0.00040324729734820815, { digits: 2 }), '4.0e-4');
  });

  it('names non-finite values', () => {
    assert.equal(formatNumber(Number.NaN), 'NaN');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), 'Infinity');
    assert.equal(formatNumber(Number.NEGATIVE_INFINITY), '-Infinity');
  });
});

describe('formatParams', () => {
  it('writes params as name=value with numbers formatted and ungrouped', () => {
    assert.equal(formatParams({ units: 1024, learning_rate: 0.00040324729734820815, lr_schedule: 'step:7', bn: true }),
      'units=1024 learning_rate=4.032e-4 lr_schedule=step:7 bn=true');
    assert.equal(formatParams({ a: 1, b: 0.5, lr: 0.001 }, ', '), 'a=1, b=0.5, lr=0.001');
    assert.equal(formatParamValue('relu'), 'relu');
  });
});

describe('renderTable', () => {
  it('formats non-integer cells and right-aligns numeric columns, exponents included', () => {
    const t = renderTable(['#', 'lr', 'loss'], [[1, 0.00040324729734820815, 0.123456], [12, 0.01, 2]]);
    const lines = t.split('\n');
    assert.equal(lines[0], ' #        lr    loss');
    assert.equal(lines[2], ' 1  4.032e-4  0.1235');
    assert.equal(lines[3], '12   0.01000       2');
  });

  it('leaves integers (trial numbers, pids) as they are', () => {
    assert.match(renderTable(['pid'], [[123456]]), /123456$/);
  });
});
