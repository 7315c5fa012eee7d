import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { pathUnder } from '../../core/paths.js';
import { modelFiles, readLayersModel } from '../../runners/tfjs/layers-model.js';
import { planOfStudy } from '../../spec/index.js';
import { DEFAULT_MODEL_DIR } from '../../study/build-runner.js';
import { resolveStudy, withStorage } from '../context.js';

/**
 * `hyperzone export-model --study S --trial N --out DIR`: copies the network a trial saved (`trainer.save_models`,
 * under --model-dir/<study>/trial-<n>/) to DIR, after checking that it is that trial's (study, number, params and
 * seed recorded in its model.json) and that it reads as a TF.js Layers model.
 */
export function exportModelCommand(flags: { storage?: string; study?: string; trial?: string; out?: string; modelDir?: string }): Promise<number> {
  return withStorage(
    flags.storage,
    async (storage) => {
      const study = await resolveStudy(storage, flags.study);
      const raw = flags.trial ?? '';
      const n = Number(raw.replace(/^#/, ''));
      if (raw === '' || !Number.isInteger(n) || n < 0) throw new InputError(`Expected \`--trial\` to be a trial number ≥ 0, got ${JSON.stringify(flags.trial)}`);
      if (flags.out === undefined || flags.out === '') throw new InputError('Expected `--out` to name a directory');
      const trial = (await storage.listTrials(study.id)).find((t) => t.number === n);
      if (trial === undefined) throw new InputError(`Study \`${study.name}\` has no trial #${n}`, { code: 'TRIAL_NOT_FOUND' });
      if (trial.state !== 'complete') throw new InputError(`Trial #${n} of study \`${study.name}\` is ${trial.state}: only a complete trial saves its network`);
      const root = flags.modelDir ?? DEFAULT_MODEL_DIR;
      const dir = pathUnder(root, study.name, `trial-${n}`);
      if (!existsSync(join(dir, 'model.json'))) {
        let trainer: { type?: string; save_models?: boolean } | undefined;
        try {
          trainer = planOfStudy(study, { checkParams: false })?.trainer;
        } catch {
          trainer = undefined; // a stored spec this version cannot read: the generic reason below
        }
        const why =
          trainer !== undefined && trainer.type !== 'tfjs'
            ? 'only the built-in trainer saves networks (a command trainer saves its own)'
            : trainer !== undefined && trainer.save_models !== true
              ? 'the study was created without `trainer.save_models: true` (set it and resume, or rerun the trial)'
              : 'networks are saved on the machine that ran the trial, under its --model-dir';
        throw new InputError(`No saved network for trial #${n} of study \`${study.name}\` in ${dir}: ${why}`);
      }
      const model = readLayersModel(dir);
      const meta = (model.metadata?.['hyperzone'] ?? {}) as { study?: unknown; trial?: unknown; params?: Record<string, unknown>; seed?: unknown };
      // The trainer saw the fixed params too: every stored param must agree.
      const paramsAgree = Object.entries(trial.params).every(([k, v]) => isDeepStrictEqual(meta.params?.[k], v));
      if (meta.study !== study.name || meta.trial !== n || !paramsAgree || meta.seed !== trial.seed) {
        throw new InputError(
          `${join(dir, 'model.json')} is not trial #${n} of study \`${study.name}\` as stored (it records study ${JSON.stringify(meta.study)}, trial ${JSON.stringify(meta.trial)}, ` +
            `params ${JSON.stringify(meta.params)}, seed ${JSON.stringify(meta.seed)}): a study deleted and run again under the same name?`,
        );
      }
      mkdirSync(flags.out, { recursive: true });
      const files = modelFiles(dir);
      for (const f of files) copyFileSync(join(dir, f), join(flags.out, f));
      const params = trial.metrics['parameters'];
      process.stdout.write(
        `trial #${n} of ${study.name} (${study.metric} = ${trial.value}${params !== undefined ? `, ${params} parameters` : ''}): wrote ${files.map((f) => join(flags.out as string, f)).join(', ')}\n`,
      );
      return 0;
    },
    { readOnly: true },
  );
}
