/** Stable error codes: scripts and tests match on these, never on message text. */
export type ErrorCode =
  | 'INVALID_SPEC'
  | 'INVALID_PARAM'
  | 'INVALID_INPUT'
  | 'DATASET_ERROR'
  | 'STORAGE_ERROR'
  | 'STUDY_NOT_FOUND'
  | 'STUDY_EXISTS'
  | 'TRIAL_NOT_FOUND'
  | 'TRIAL_FAILED'
  | 'TRIAL_PRUNED'
  | 'RUNNER_ERROR'
  | 'MERGE_CONFLICT'
  | 'STAGE_ERROR'
  | 'CONNECTION_ERROR'
  /** Storage that was reached went away for longer than its retry window (a database outage): exit code 3. */
  | 'STORAGE_UNAVAILABLE';

/** The base of every error hyperzone throws on purpose. */
export class HyperzoneError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad user input (spec, CLI flag, file): the CLI maps it to exit code 2. */
export class InputError extends HyperzoneError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'INVALID_INPUT', message, options);
  }
}

/** A spec file or object that does not validate; the message names field and value. */
export class SpecError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'INVALID_SPEC' });
  }
}

/** A dataset that cannot be found or read (wrong magic, truncated, bad labels). */
export class DatasetError extends InputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'DATASET_ERROR' });
  }
}

/** A storage backend failed or was asked for something inconsistent. */
export class StorageError extends HyperzoneError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'STORAGE_ERROR', message, options);
  }
}

/** Thrown by user objectives to stop a trial early; the trial ends as 'pruned'. */
export class TrialPruned extends HyperzoneError {
  constructor(message = 'trial pruned') {
    super('TRIAL_PRUNED', message);
  }
}

/** Whether an error is bad user input (exit code 2) rather than a failure. */
export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}

/** A readable one-line description of anything thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
