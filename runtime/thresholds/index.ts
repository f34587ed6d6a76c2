/** Thresholds: the grammar (runtime/metrics/expression.ts), validation against the registry (config.ts), evaluation (evaluator.ts). */
export { parseExpression, formatMethod, ThresholdSyntaxError, VALID_AGGREGATIONS, compare, type ThresholdExpression, type ThresholdOperator } from '../metrics/expression.ts';
export { compileThresholds, type Threshold } from './config.ts';
export { ThresholdEvaluator, evaluateOne, type ThresholdResult } from './evaluator.ts';
