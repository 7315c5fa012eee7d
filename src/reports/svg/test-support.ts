// Test helpers for the SVG charts (not part of the build: test-*.ts).
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import type { DistributionSpec } from '../../space/distribution.js';
import type { Direction, Params, TrialState } from '../../core/types.js';
import type { ReportData, ReportTrial } from './data.js';

/** Parses XML strictly: any warning, error or fatal error throws with the parser's message. */
export function parseXml(text: string, mime: 'image/svg+xml' | 'text/xml' = 'image/svg+xml'): Document {
  const parser = new DOMParser({
    onError: (level: string, msg: string) => {
      // U+FFFD is what escapeXml puts in place of forbidden characters: expected, not an encoding problem.
      if (level === 'warning' && /replacement character/i.test(msg)) return;
      throw new Error(`XML ${level}: ${msg}`);
    },
  });
  return parser.parseFromString(text, mime);
}

/** Elements with a tag and (optionally) a class among their classes. */
export function select(doc: Document | Element, tag: string, cls?: string): Element[] {
  const all = Array.from(doc.getElementsByTagName(tag));
  return cls === undefined ? all : all.filter((e) => (e.getAttribute('class') ?? '').split(/\s+/).includes(cls));
}

/** Every text node's content, joined by newlines. */
export function texts(doc: Document | Element): string[] {
  return select(doc, 'text').map((e) => e.textContent ?? '');
}

/** The 2-param space of the tests: units (powers of two with midpoints) × batch_size (powers of two). */
export const SPACE: Record<string, DistributionSpec> = {
  units: { type: 'series', values: [128, 192, 256, 384, 512] },
  batch_size: { type: 'series', values: [16, 32, 64, 128] },
};

/** A smooth surface with its best at units=384, batch_size=32 (value in (0.9, 0.99)). */
export function surfaceValue(units: number, batch: number): number {
  return 0.99 - 0.01 * (Math.log2(units / 384) ** 2 + Math.log2(batch / 32) ** 2);
}

/** A grid study over SPACE in order, each trial with a 5-step curve; optional extra trials in other states; `sizes`: each reports trainable parameters. */
export function gridData(
  o: { direction?: Direction; extra?: readonly { state: TrialState; steps?: number }[]; param3?: boolean; sizes?: boolean } = {},
): ReportData {
  const direction = o.direction ?? 'maximize';
  const trials: ReportTrial[] = [];
  let n = 0;
  for (const u of (SPACE.units as { values: number[] }).values) {
    for (const b of (SPACE.batch_size as { values: number[] }).values) {
      const v = surfaceValue(u, b);
      const value = direction === 'maximize' ? v : 1 - v;
      const params: Params = o.param3 ? { units: u, batch_size: b, act: n % 2 === 0 ? 'relu' : 'tanh' } : { units: u, batch_size: b };
      trials.push({ number: n++, state: 'complete', params, value, ...(o.sizes ? { parameters: u * 795 + 10 } : {}), steps: [1, 2, 3, 4, 5].map((s) => ({ step: s, metrics: { m: value - (direction === 'maximize' ? 1 : -1) * 0.01 * (5 - s) } })) });
    }
  }
  for (const x of o.extra ?? []) {
    const steps = Array.from({ length: x.steps ?? 0 }, (_, i) => ({ step: i + 1, metrics: { m: 0.95 } }));
    trials.push({ number: n++, state: x.state, params: { units: 128, batch_size: 16 }, value: null, steps });
  }
  return { source: 'test <grid>', metric: 'm', direction, space: SPACE, trials, order: 'trial' };
}

/**
 * A two-objective study (maximize val_accuracy, minimize parameters) of `n` trials over units × layers: accuracy grows
 * with size and saturates, plus a deterministic wiggle, so the front is a rising staircase; a few trials failed.
 */
export function twoObjectiveData(n = 60): ReportData {
  const trials: ReportTrial[] = [];
  for (let i = 0; i < n; i++) {
    const units = 16 * 2 ** (i % 6);
    const layers = 1 + (Math.floor(i / 6) % 3);
    const parameters = 784 * units + (layers - 1) * units * units + units * 10;
    const wiggle = (((i * 2654435761) % 1000) / 1000 - 0.5) * 0.02;
    const acc = 0.99 - 0.08 * Math.exp(-parameters / 60_000) + wiggle;
    const failed = i % 17 === 16;
    trials.push({
      number: i, state: failed ? 'failed' : 'complete', params: { units, layers }, value: failed ? null : acc,
      ...(failed ? {} : { values: [acc, parameters], parameters }), steps: [],
    });
  }
  return {
    source: 'test <two objectives>', metric: 'val_accuracy', direction: 'maximize', order: 'trial',
    objectives: [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }],
    space: { units: { type: 'series', values: [16, 32, 64, 128, 256, 512] }, layers: { type: 'int', low: 1, high: 3 } }, trials,
  };
}
