import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { operatorSchema } from '../../src/rules/condition-schema';
import { OPERATORS } from '../../src/rules/field-tests';
import { renderListSchema, renderRuleSchema, ruleJsonSchema } from '../../src/rules/json-schema';
import { LIST_SCHEMA_PATH, RULE_SCHEMA_PATH } from '../../src/rules/write-schema';
import { ruleText } from './helpers';

type JsonSchema = Record<string, unknown>;

/**
 * Enough of draft-07 to check the generated schema's structure (type, enum, const, pattern,
 * required, properties, additionalProperties, items, minItems, anyOf, allOf, $ref); the
 * project has no JSON Schema validator and editors are the real consumers.
 */
function conforms(value: unknown, schema: JsonSchema, root: JsonSchema): boolean {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/definitions/', '');
    return conforms(value, (root.definitions as Record<string, JsonSchema>)[name] as JsonSchema, root);
  }
  if (Array.isArray(schema.allOf) && !schema.allOf.every((s: JsonSchema) => conforms(value, s, root))) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s: JsonSchema) => conforms(value, s, root))) return false;
  if (schema.type !== undefined && !([schema.type].flat() as string[]).some((t) => hasType(value, t))) return false;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  if ('const' in schema && schema.const !== value) return false;
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) return false;
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (schema.items !== undefined && !value.every((v) => conforms(v, schema.items as JsonSchema, root))) return false;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (Array.isArray(schema.required) && !schema.required.every((k: string) => k in record)) return false;
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, v] of Object.entries(record)) {
      const sub = properties[key] ?? schema.additionalProperties;
      if (sub === false) return false;
      if (sub !== undefined && sub !== true && !conforms(v, sub as JsonSchema, root)) return false;
    }
  }
  return true;
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

describe('rules/rule.schema.json', () => {
  it('is what the generator produces now (run `npx tsx src/rules/write-schema.ts` after changing the schema)', () => {
    expect(readFileSync(RULE_SCHEMA_PATH, 'utf8')).toBe(renderRuleSchema());
    expect(RULE_SCHEMA_PATH).toBe(join(__dirname, '..', '..', 'rules', 'rule.schema.json'));
  });

  it('lists the required keys and forbids unknown ones', () => {
    const schema = ruleJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    // match or sequence: the rule compiler says which is missing (MISSING_KEY), the schema cannot.
    expect(schema.required).toEqual(['title', 'source', 'severity']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(
      expect.arrayContaining(['id', 'title', 'source', 'severity', 'escalate', 'match', 'sequence', 'new_term', 'threshold', 'group_by', 'realert', 'slack', 'runbook', 'tags', 'allowed_users', 'tests']),
    );
  });

  it('describes every top-level key for editor hovers', () => {
    for (const [key, property] of Object.entries(ruleJsonSchema().properties as Record<string, JsonSchema>)) {
      expect([key, typeof property.description]).toEqual([key, 'string']);
    }
  });

  it('accepts good rules and refuses bad shapes', () => {
    const schema = ruleJsonSchema();
    const good = parse(
      ruleText(
        'threshold: { count: 5, window: 10m, group_by: [source.ip] }\nrealert: 0\nslack: { mention: ["@here", S0123ABCD] }\n',
        'match:\n  event.outcome: failure\n  any:\n    - user.name: [root, admin]\n    - source.ip: { not: { cidr: 10.0.0.0/8 }, exists: true }\n',
      ),
    );
    expect(conforms(good, schema, schema)).toBe(true);
    expect(conforms(parse(readFileSync(join(__dirname, 'fixtures', 'mixed', 'c-waf-block.yaml'), 'utf8')), schema, schema)).toBe(true);
    expect(conforms({ ...good, severity: 'urgent' }, schema, schema)).toBe(false);
    expect(conforms({ ...good, serverity: 'low' }, schema, schema)).toBe(false);
    expect(conforms({ ...good, realert: '1 hour' }, schema, schema)).toBe(false);
    expect(conforms({ ...good, match: { 'user.name': { startsWith: 'a' } } }, schema, schema)).toBe(false);
    expect(conforms({ ...good, slack: { mention: ['@oncall'] } }, schema, schema)).toBe(false);
    const untitled = { ...(good as Record<string, unknown>) };
    delete untitled.title;
    expect(conforms(untitled, schema, schema)).toBe(false);
  });

  it('offers the same operators as the compiler', () => {
    expect(Object.keys((operatorSchema as unknown as { shape: object }).shape).sort()).toEqual([...OPERATORS].sort());
  });

  it('takes a list name or several for in_list', () => {
    const schema = ruleJsonSchema();
    const rule = parse(ruleText('', 'match:\n  source.ip: { in_list: trusted-networks }\n  user.name: { not: { in_list: [admins, service-accounts] } }\n'));
    expect(conforms(rule, schema, schema)).toBe(true);
    expect(conforms({ ...(rule as object), match: { 'source.ip': { in_list: [] } } }, schema, schema)).toBe(false);
  });
});

describe('rules/list.schema.json', () => {
  const schema = JSON.parse(renderListSchema()) as JsonSchema;

  it('is what the generator produces now', () => {
    expect(readFileSync(LIST_SCHEMA_PATH, 'utf8')).toBe(renderListSchema());
  });

  it('accepts the shipped example list and refuses bad shapes', () => {
    const example = parse(readFileSync(join(__dirname, '..', '..', 'rules', 'lists', 'trusted-networks.yml'), 'utf8')) as Record<string, unknown>;
    expect(conforms(example, schema, schema)).toBe(true);
    expect(conforms({ values: ['192.0.2.0/24', 22] }, schema, schema)).toBe(true);
    expect(conforms({ id: 'x' }, schema, schema)).toBe(false);
    expect(conforms({ values: [['nested']] }, schema, schema)).toBe(false);
    expect(conforms({ values: [], include: 'other.yml' }, schema, schema)).toBe(false);
  });
});
