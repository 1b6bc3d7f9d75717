import { z } from 'zod';
import { conditionSchema } from './condition-schema';
import { listFileSchema } from './list-schema';
import { ruleFileSchema } from './schema';

/** The JSON Schema (draft-07, which yaml-language-server reads) of a rule file. */
export function ruleJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ruleFileSchema(conditionSchema), { target: 'draft-7', io: 'input' });
}

/** The text of `rules/rule.schema.json`. */
export function renderRuleSchema(): string {
  return `${JSON.stringify(ruleJsonSchema(), null, 2)}\n`;
}

/** The text of `rules/list.schema.json`, for list files in `rules/lists/`. */
export function renderListSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(listFileSchema, { target: 'draft-7', io: 'input' }), null, 2)}\n`;
}
