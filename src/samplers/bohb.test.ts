import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BohbSampler } from './bohb.js';
import { rungValue } from '../schedulers/rungs.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import { makeTrial } from '../../bench/support/loop.js';
import type { Sampler, SamplerContext } from './sampler.js';
import type { TrialRecord } from '../core/types.js';

/** The trials an inner model is given, built afresh as the sampler first did: the reference. */
function reference(trials: readonly TrialRecord[], rung: number, withInner: boolean): TrialRecord[] {
  const view: TrialRecord[] = [];
  let worst: number | null = null;
  for (const t of trials) {
    if (t.state === 'running' || t.state === 'waiting') { view.push(t); continue; }
    if (t.state !== 'complete' && t.state !== 'pruned') continue;
    const v = rungValue(t, rung, 'loss');
    if (v !== undefined && (worst === null || v > worst)) worst = v;
    view.push(v !== undefined ? { ...t, state: 'complete', value: v } : { ...t, state: 'pruned', value: null });
  }
  if (withInner && worst !== null) for (let i = 0; i < view.length; i++) if (view[i]?.state === 'pruned') view[i] = { ...view[i] as TrialRecord, state: 'complete', value: worst };
  return view;
}

test('BOHB: the trials the inner model sees, kept between proposals, equal those built afresh as the study grows', () => {
  const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } });
  const rng = new Rng(3);
  for (const withInner of [true, false]) {
    const seen: (readonly TrialRecord[])[] = [];
    const inner: Sampler = { name: 'spy', sample: (ctx: SamplerContext) => { seen.push(ctx.trials); return { params: { x: 0.5 } }; } };
    const bohb = new BohbSampler({ rungSteps: [1, 3, 9], metric: 'loss', minObservations: 4, ...(withInner ? { inner } : { tpe: {} }) });
    if (!withInner) (bohb as unknown as { inner: Sampler }).inner = inner;
    const trials: TrialRecord[] = [];
    for (let i = 0; i < 120; i++) {
      // Stops at 1, 3 or 9, values that sometimes set a new worst; every 9th still running.
      const stop = [1, 1, 3, 9][Math.floor(rng.next() * 4)] as number;
      const base = makeTrial(i, { x: rng.next() }, null, 'running');
      const steps = Array.from({ length: stop }, (_, s) => ({ step: s + 1, metrics: { loss: rng.next() * (1 + i / 40) + 1 / (s + 1) }, at: 0 }));
      trials.push(i % 9 === 8 ? { ...base, steps } : { ...base, steps, state: stop === 9 ? 'complete' : 'pruned', value: stop === 9 ? (steps[8]?.metrics.loss ?? null) : null });
      bohb.sample({ space, direction: 'minimize', trials, rng: new Rng(i) });
    }
    const rungs = new Set<number>();
    for (let i = 0; i < seen.length; i++) {
      const trialsThen = trials.slice(0, trials.length - seen.length + i + 1);
      const rung = bohb.fittingRung(trialsThen, 1) as number;
      rungs.add(rung);
      assert.deepEqual(seen[i], reference(trialsThen, rung, withInner), `proposal ${i}`);
    }
    assert.ok(rungs.size >= 2, `the fitted rung changed (${[...rungs]})`);
  }
});
