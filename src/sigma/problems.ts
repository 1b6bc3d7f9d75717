import type { Problems } from '../yaml/problems';

/**
 * Why a Sigma rule was not imported, located in the Sigma file like rule-file problems
 * (`path:line:col: message [CODE]`). README "Importing Sigma rules" lists them.
 */
export type SigmaErrorCode =
  | 'READ_FAILED'
  | 'YAML_SYNTAX'
  | 'NOT_A_MAPPING'
  | 'MISSING_KEY'
  | 'BAD_VALUE'
  | 'UNSUPPORTED_LOGSOURCE'
  | 'UNKNOWN_FIELD'
  | 'UNKNOWN_MODIFIER'
  | 'UNSUPPORTED'
  | 'BAD_CONDITION'
  | 'UNKNOWN_SELECTION'
  | 'INVALID_RULE'
  | 'DUPLICATE_ID'
  | 'OUTPUT_EXISTS';

export type SigmaProblems = Problems<SigmaErrorCode>;
