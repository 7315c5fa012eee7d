export { resolveZoneOptions, defaultZoneSpace, DEFAULT_SCHEDULES, type ZoneOptions, type ResolvedZoneOptions, type LineMethod, type Zone } from './options.js';
export { zonesStage, zonesPlan, analyzeZones, surfaceAt, gridAxes, type ZonesOutput } from './zones.js';
export { refineStage, analyzeRefine, type RefineOutput, type Candidate, type LineReport } from './refine.js';
export { splitSearch, goldenSearch, parabolaSearch, lineSearch, type LineProblem, type LineState } from './line-search.js';
export { schedulesStage, analyzeSchedules, refinedCandidates, type SchedulesOutput, type ScheduleResult } from './schedules.js';
export { confirmStage, analyzeConfirm, confirmConfigs, type ConfirmOutput, type ConfirmedConfig } from './confirm.js';
export { runStage, runZoneStrategy, computeOf, ZONE_STAGES, type ZoneStageName, type EvaluatePlan, type ZoneStrategyResult } from './driver.js';
export { estimateNoise, type NoiseModel } from './noise.js';
export { valueAt, collectPoints, paramsKey, paramsLabel, type PointStat } from './common.js';
