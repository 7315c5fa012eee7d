export { logGamma, regularizedIncompleteBeta, normalCdf, normalQuantile, studentTCdf, studentTQuantile } from './distributions.js';
export { wilsonInterval, mean, quantile, variance, meanInterval, type Interval, type MeanInterval } from './intervals.js';
export { welchTTest, holmAdjust, type WelchResult } from './tests.js';
export { compareAgainstBest, verdictText, formatP, type Comparison, type LabelledSample } from './verdict.js';
