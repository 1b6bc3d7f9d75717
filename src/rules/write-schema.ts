import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderRuleSchema } from './json-schema';

export const RULE_SCHEMA_PATH = join(__dirname, '..', '..', 'rules', 'rule.schema.json');

/** Writes the rule JSON Schema for editors; run `npx tsx src/rules/write-schema.ts` after changing schema.ts. */
export function writeRuleSchema(path: string = RULE_SCHEMA_PATH): void {
  writeFileSync(path, renderRuleSchema());
}

if (require.main === module) {
  writeRuleSchema();
  console.log(`wrote ${RULE_SCHEMA_PATH}`);
}
