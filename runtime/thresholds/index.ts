/** Thresholds: k6's grammar (parser.ts), validation against the registry (config.ts), evaluation (evaluator.ts). */
export { parseExpression, formatMethod, ThresholdSyntaxError, VALID_AGGREGATIONS, type ThresholdExpression, type ThresholdOperator } from './parser.ts';
export { compileThresholds, canonicalSelector, methodsFor, type Threshold } from './config.ts';
export { ThresholdEvaluator, evaluateOne, compare, type ThresholdResult } from './evaluator.ts';
