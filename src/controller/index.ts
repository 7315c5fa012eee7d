export { Mixture, type Gaussian } from './mixture.js';
export { FeatureEncoder, checkpointSteps, CURVE_FEATURES, type Example, type Row, type EncoderJSON } from './features.js';
export { Ensemble, type EnsembleJSON, type EnsembleOptions, type MemberJSON } from './ensemble.js';
export { Surrogate, MODEL_FORMAT, type SurrogateJSON, type SurrogateTrainOptions, type TrainingInfo } from './surrogate.js';
export { evaluateRows, scoreRows, type Evaluation, type Scores } from './evaluate.js';
