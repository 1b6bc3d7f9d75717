import { z } from 'zod';
import { RULE_ID_PATTERN } from './types';

/**
 * The YAML list file format (`rules/lists/NAME.yml`): validation of its shape, and the JSON
 * Schema editors use (`rules/list.schema.json`).
 */
export const listFileSchema = z
  .strictObject({
    id: z
      .string()
      .regex(new RegExp(RULE_ID_PATTERN), { error: 'id must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' })
      .optional()
      .describe('The name rules use in `in_list:`. Default: the file name without extension.'),
    description: z.string().optional().describe('What the list holds, and who keeps it.'),
    values: z
      .array(z.union([z.string().min(1, { error: 'a list entry cannot be empty' }), z.number()]), { error: 'values must be a list' })
      .describe(
        'The entries. An entry that is an IPv4/IPv6 address or CIDR network (203.0.113.0/24) matches any address inside it; any other entry matches a value equal to it (case-sensitive unless the rule says ignore_case: true). Empty: the list matches nothing.',
      ),
  })
  .meta({
    title: 'Klaxon list',
    description: 'A list of values shared by rules (trusted networks, service accounts, known scanners), named in conditions with `in_list:`.',
  });

export type ListFileData = z.infer<typeof listFileSchema>;
