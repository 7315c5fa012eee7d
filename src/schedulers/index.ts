export type { Decision, Scheduler, SchedulerContext, SchedulerStop, TrialSource } from './scheduler.js';
export { SCHEDULER_STOP_ATTR } from './scheduler.js';
export { MedianStoppingScheduler, type MedianStoppingOptions } from './median.js';
export { SuccessiveHalvingScheduler, ashaScheduler, type SuccessiveHalvingOptions } from './successive-halving.js';
export { HyperbandScheduler, type HyperbandOptions } from './hyperband.js';
export { SimulatedStudy, type SimulatedTrial } from './simulate.js';
export { CurveExtrapolationScheduler, type CurveExtrapolationOptions, type StopReason } from './curve-extrapolation.js';
