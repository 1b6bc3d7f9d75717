import { DeployConfigError, parseStageConfig } from '../../src/deploy/config';

/** What `parseStageConfig` finds wrong with a stage file's text (as deploy/prod.yml); none when it parses. */
export function stageConfigProblems(text: string): string[] {
  try {
    parseStageConfig('deploy/prod.yml', text);
  } catch (error) {
    if (error instanceof DeployConfigError) return [...error.problems];
    throw error;
  }
  return [];
}
