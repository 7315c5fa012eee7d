import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SpecError } from '../core/errors.js';
import type { Direction } from '../core/types.js';
import type { Space } from '../space/space.js';
import { Surrogate } from '../controller/surrogate.js';
import { modelSpaceProblem } from '../samplers/controller.js';

/** The model read last, by absolute path, with its file's size and modification time (loadPlan reads it, then build). */
let last: { key: string; size: number; mtimeMs: number; model: Surrogate } | null = null;

/** The model at `file`, read again only when it is another file or the file changed (size or modification time). */
function readModel(file: string): Surrogate {
  const key = resolve(file);
  let st: { size: number; mtimeMs: number } | null = null;
  try {
    st = statSync(key);
  } catch {
    // Surrogate.load reports the missing file.
  }
  if (st !== null && last !== null && last.key === key && last.size === st.size && last.mtimeMs === st.mtimeMs) return last.model;
  const model = Surrogate.load(file);
  last = st === null ? null : { key, size: st.size, mtimeMs: st.mtimeMs, model };
  return model;
}

/**
 * The surrogate a `sampler: { type: controller, model: FILE }` or `scheduler: { type: curve-extrapolation, model: FILE }`
 * names (relative to the working directory), checked against the study's space and direction; any problem is a
 * SpecError naming `<section>.model` (exit 2).
 */
export function loadControllerModel(
  file: string, space: Space, direction: Direction, descriptors: Readonly<Record<string, number>> = {}, section: 'sampler' | 'scheduler' = 'sampler',
): Surrogate {
  let model: Surrogate;
  try {
    model = readModel(file);
  } catch (e) {
    throw new SpecError(`Expected \`${section}.model\` to be a controller model file (\`hyperzone controller train -o FILE\`), got ${JSON.stringify(file)}: ${(e as Error).message}`, { cause: e });
  }
  const problem = modelSpaceProblem(model, space, direction);
  if (problem !== null) throw new SpecError(`Expected \`${section}.model\` ${JSON.stringify(file)} to fit the study's space: ${problem}`);
  const known = model.encoder.descriptors;
  const unknown = Object.keys(descriptors).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new SpecError(`Expected \`${section}.descriptors\` to name descriptors the model was trained with (${known.join(', ') || 'none'}), got \`${unknown}\``);
  return model;
}
