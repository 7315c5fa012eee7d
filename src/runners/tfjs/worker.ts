// Worker-thread entry: trains trials one at a time, caching the backend and the uploaded dataset.
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../../datasets/load.js';
import { describeError, isInputError } from '../../core/errors.js';
import { initBackend, type Tf } from './backend.js';
import { readLayersModel, saveLayersModel, type LoadedModel } from './layers-model.js';
import { parseFnnParams } from './params.js';
import { datasetKey, type RunMessage, type WorkerInit, type WorkerMessage } from './protocol.js';
import { trainFnn } from './train.js';
import type { Dataset } from '../../datasets/load.js';

const init = workerData as WorkerInit;
const abort = new Int32Array(init.abortFlag);
let backend: Promise<{ tf: Tf; backend: string }> | null = null;
let cache: { key: string; data: Dataset } | null = null;
let backendName: string | null = null;
let baseCache: { dir: string; model: LoadedModel } | null = null;

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

async function run(msg: RunMessage): Promise<void> {
  try {
    backend ??= initBackend(init.backend);
    const { tf, backend: name } = await backend;
    backendName = name;
    const cfg = parseFnnParams(msg.params, msg.budget, msg.baseModel !== undefined);
    if (msg.baseModel !== undefined && baseCache?.dir !== msg.baseModel) baseCache = { dir: msg.baseModel, model: readLayersModel(msg.baseModel) };
    const base = msg.baseModel !== undefined ? baseCache?.model : undefined;
    const key = datasetKey(msg.data);
    if (cache?.key !== key) {
      cache = null;
      const { dataset, ...limits } = msg.data;
      cache = { key, data: loadDataset(dataset, limits) };
    }
    const data = cache.data;
    const result = trainFnn(tf, data, cfg, msg.seed, { ...msg, keepModel: msg.saveTo !== undefined, ...(base !== undefined ? { base } : {}) }, {
      onEpoch: (epoch, metrics) => post({ type: 'epoch', id: msg.id, epoch, metrics }),
      onProgress: (epoch, batch, batches) => post({ type: 'progress', id: msg.id, epoch, batch, batches }),
      shouldStop: () => Atomics.load(abort, 0) !== 0,
    });
    if (result.state === 'complete' && result.model !== undefined && msg.saveTo !== undefined) {
      const { model, ...rest } = result;
      const input = model.layers[0]?.inShape ?? [];
      await saveLayersModel(tf, msg.saveTo.dir, model.layers, model.weights, {
        hyperzone: { ...msg.saveTo.metadata, params: msg.params, seed: msg.seed, dataset: data.name, classes: data.classes, input, value: result.value },
      });
      post({ type: 'done', id: msg.id, backend: name, result: rest });
      return;
    }
    post({ type: 'done', id: msg.id, backend: name, result });
  } catch (e) {
    post({ type: 'error', id: msg.id, backend: backendName, message: describeError(e), input: isInputError(e) });
  }
}

// Trials arrive one at a time (the pool never sends a second before 'done'), so a simple chain suffices.
let queue = Promise.resolve();
parentPort?.on('message', (msg: RunMessage) => {
  if (msg.type === 'run') queue = queue.then(() => run(msg));
});
