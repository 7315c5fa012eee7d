import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { InputError } from '../../core/errors.js';

/** The TensorFlow.js API (the same whether loaded from tfjs or tfjs-node). */
export type Tf = typeof import('@tensorflow/tfjs');

/** Which TF.js backend to train on; 'auto' picks tfjs-node, then WASM, then plain JS. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
/** Accepted backend choices. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
/** Environment variable that overrides the backend option. */
export const BACKEND_ENV = 'HYPERZONE_TFJS_BACKEND';

const require = createRequire(import.meta.url);

/** Validates a backend choice; the env variable HYPERZONE_TFJS_BACKEND wins over the option. */
export function resolveBackendChoice(option: string | undefined, env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const fromEnv = env[BACKEND_ENV];
  const v = fromEnv !== undefined && fromEnv !== '' ? fromEnv : (option ?? 'auto');
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    const field = fromEnv !== undefined && fromEnv !== '' ? BACKEND_ENV : 'backend';
    throw new InputError(`Expected \`${field}\` to be one of ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as BackendChoice;
}

/** Whether @tensorflow/tfjs-node can be resolved (installed), without loading it. */
export function hasTfjsNode(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** The backend 'auto' would most likely choose, without loading anything (for names and logs). */
export function expectedBackend(choice: BackendChoice): 'tensorflow' | 'wasm' | 'cpu' {
  if (choice !== 'auto') return choice;
  return hasTfjsNode() ? 'tensorflow' : 'wasm';
}

async function tryTfjsNode(): Promise<Tf | null> {
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const name = '@tensorflow/tfjs-node';
    const mod = (await import(name)) as Tf & { default?: Tf };
    return typeof mod.tensor === 'function' ? mod : (mod.default ?? null);
  } catch {
    return null;
  }
}

/** Loads TF.js and activates a backend; returns the API and the backend's name ('tensorflow', 'wasm', 'cpu'). */
export async function initBackend(choice: BackendChoice): Promise<{ tf: Tf; backend: string }> {
  if (choice === 'tensorflow' || choice === 'auto') {
    const tfn = await tryTfjsNode();
    if (tfn !== null && (await tfn.setBackend('tensorflow'))) {
      await tfn.ready();
      return { tf: tfn, backend: tfn.getBackend() };
    }
    if (choice === 'tensorflow') {
      throw new InputError('Backend `tensorflow` needs @tensorflow/tfjs-node: install it with `npm install @tensorflow/tfjs-node`');
    }
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (choice === 'wasm' || choice === 'auto') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Under Node the binaries are read from disk: point at the package's dist folder.
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(`${dist}/`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm' };
      }
    } catch (e) {
      if (choice === 'wasm') throw new InputError(`Backend \`wasm\` failed to start: ${(e as Error).message}`, { cause: e });
    }
    if (choice === 'wasm') throw new InputError('Backend `wasm` failed to start');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { tf, backend: 'cpu' };
}
