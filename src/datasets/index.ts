export { readIdxImages, readIdxLabels, parseIdxImages, parseIdxLabels, readMaybeGzip, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx.js';
export type { IdxImages } from './idx.js';
export { resolveDataset, findIdxFiles, datasetLabel, KNOWN_DATASETS, FASHION_MNIST_DIR } from './resolve.js';
export type { DatasetRef, DatasetFiles } from './resolve.js';
export { loadDataset, validateLoadOptions, DEFAULT_VALIDATION_SPLIT } from './load.js';
export type { Dataset, Split, LoadOptions } from './load.js';
