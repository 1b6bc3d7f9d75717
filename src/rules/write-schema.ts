import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderListSchema, renderRuleSchema } from './json-schema';

export const RULE_SCHEMA_PATH = join(__dirname, '..', '..', 'rules', 'rule.schema.json');
export const LIST_SCHEMA_PATH = join(__dirname, '..', '..', 'rules', 'list.schema.json');

/** Writes the rule JSON Schema for editors; run `npx tsx src/rules/write-schema.ts` after changing schema.ts. */
export function writeRuleSchema(path: string = RULE_SCHEMA_PATH): void {
  writeFileSync(path, renderRuleSchema());
}

/** Writes the JSON Schema of list files (rules/lists/*.yml). */
export function writeListSchema(path: string = LIST_SCHEMA_PATH): void {
  writeFileSync(path, renderListSchema());
}

if (require.main === module) {
  writeRuleSchema();
  writeListSchema();
  console.log(`wrote ${RULE_SCHEMA_PATH} and ${LIST_SCHEMA_PATH}`);
}
