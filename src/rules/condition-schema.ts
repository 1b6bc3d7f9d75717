import { z } from 'zod';

/**
 * The condition grammar as a zod schema, used only to describe conditions in the JSON
 * Schema for editors; rule files are checked by the condition compiler (conditions.ts).
 */
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const strings = z.union([z.string(), z.array(z.string()).min(1)]);
const bound = z.union([z.number(), z.string()]);

interface OperatorMap {
  [operator: string]: unknown;
  not?: OperatorMap;
}

export const operatorSchema: z.ZodType<OperatorMap> = z
  .strictObject({
    equals: scalar.optional().describe('Equal to this value (numbers and numeric strings compare as numbers).'),
    in: z.array(scalar).min(1).optional().describe('Equal to one of these values.'),
    in_list: strings
      .optional()
      .describe(
        'Equal to an entry of this list (or of any of these lists), kept in rules/lists/NAME.yml or NAME.txt; an entry that is an address or CIDR network matches any address inside it.',
      ),
    contains: strings.optional().describe('Contains this text (or any of these).'),
    startswith: strings.optional().describe('Starts with this text (or any of these).'),
    endswith: strings.optional().describe('Ends with this text (or any of these).'),
    regex: strings.optional().describe('Matches this regular expression (or any of these), in RE2 syntax: JavaScript\'s without backreferences or lookaround, so it runs in linear time on any text; unanchored unless you write ^ and $.'),
    cidr: strings.optional().describe('An IP address inside this network (or any of these), IPv4 or IPv6, e.g. 203.0.113.0/24.'),
    exists: z.boolean().optional().describe('true: the field is set (a list: non-empty); false: it is not.'),
    gt: bound.optional().describe('Greater than (numbers numerically; other strings, e.g. ISO timestamps, by text).'),
    gte: bound.optional().describe('Greater than or equal.'),
    lt: bound.optional().describe('Less than.'),
    lte: bound.optional().describe('Less than or equal.'),
    during: z
      .strictObject({
        hours: z.string().optional().describe('HH:MM-HH:MM on a 24-hour clock; may wrap midnight ("22:00-06:00").'),
        days: z.array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])).min(1).optional().describe('Days of the week.'),
        timezone: z.string().optional().describe('IANA zone the hours and days are read in (default UTC).'),
      })
      .optional()
      .describe('A time (such as @timestamp) inside these hours, on these days, on the zone\'s wall clock.'),
    ignore_case: z.boolean().optional().describe('Compare text case-insensitively (equals, in, contains, startswith, endswith, regex).'),
    get not() {
      return operatorSchema.optional().describe('None of these operators may hold.');
    },
  })
  .meta({
    id: 'operators',
    description: 'Operators on a field; all must hold. On a list-valued field, some element must satisfy them.',
  });

const elementTest = z
  .strictObject({
    get element(): z.ZodType<Condition> {
      return conditionSchema;
    },
  })
  .describe('One and the same element of a list of objects meets this condition, its paths read inside the element.');

const fieldTest = z.union([scalar, z.array(scalar).min(1), operatorSchema, elementTest]);

interface ConditionMap {
  [field: string]: unknown;
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}
type Condition = ConditionMap | ConditionMap[];

const conditionMapSchema: z.ZodType<ConditionMap> = z
  .object({
    get all() {
      return z.array(conditionSchema).min(1).optional().describe('All of these conditions hold.');
    },
    get any() {
      return z.array(conditionSchema).min(1).optional().describe('At least one of these conditions holds.');
    },
    get not() {
      return conditionSchema.optional().describe('This condition does not hold (a list: none of them holds).');
    },
  })
  .catchall(fieldTest)
  .meta({
    id: 'condition-mapping',
    description: 'field: value (equals), field: [values] (in), or field: {operators}; all entries must hold.',
  });

export const conditionSchema: z.ZodType<Condition> = z.union([conditionMapSchema, z.array(conditionMapSchema).min(1)]).meta({
  id: 'condition',
  description: 'A mapping of field tests and all/any/not, or a list of such mappings (all must hold).',
});
