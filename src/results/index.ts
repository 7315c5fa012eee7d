export {
  RESULTSET_FORMAT,
  parseResultSet,
  readResultSet,
  writeResultSet,
  serializeResultSet,
  emptyResultSet,
  type ResultSet,
  type ResultEntry,
  type ResultStep,
  type StageCompute,
} from './resultset.js';
export { mergeResultSets, addEntries, addCompute, entryKey, canonicalJson, firstDifference } from './merge.js';
export { resultSetFromTrials, entryFromTrial, STAGE_ATTR, type ResultSetSource } from './from-trials.js';
