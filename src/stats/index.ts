export { logGamma, logGammaRatio, regularizedIncompleteBeta, regularizedGamma, normalCdf, normalQuantile, studentTCdf, studentTTail, studentTTwoSided, studentTQuantile, chiSquareTail, chiSquareQuantile } from './distributions.js';
export { wilsonInterval, mean, quantile, variance, isConstant, RELATIVE_ZERO, meanInterval, withTestSetError, sdInterval, type Interval, type MeanInterval, type TestSetInterval } from './intervals.js';
export { welchTTest, pairedTTest, holmAdjust, holmReject, bartlettTest, type TTestResult, type WelchResult } from './tests.js';
export { compareAgainstBest, compareSamples, pairOnSeeds, verdictText, formatP, type Comparison, type LabelledSample, type ReferenceChoice } from './verdict.js';
export { spearman, pearson, averageRanks } from './rank.js';
export { toMinimization, dominates, nonDominatedSort, paretoFront, crowdingDistance, hypervolume, hypervolumeContributions, paretoTrials } from './pareto.js';
