/** Held-out metrics and reference statistics of training data (for drift checks): lib/cli/stats.ts, shared with `ml-predict card`. */
export { accuracy, featureStats, labelCounts, logLoss, macroF1, regressionMetrics, round7 } from '../../lib/cli/stats.js';
