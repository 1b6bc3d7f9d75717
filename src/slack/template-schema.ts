/**
 * The shape of a Slack message template file (`templates/*.yml`); see templates/README.md.
 */
import { z } from 'zod';
import { placeholders } from '../events/interpolate';

/** Every `{{` must open a placeholder that names a field, or it would show up raw in Slack. */
function wellFormedPlaceholders(text: string): boolean {
  return text.split('{{').length - 1 === placeholders(text).length;
}

const templateText = z
  .string()
  .min(1)
  .max(1000)
  .refine(wellFormedPlaceholders, { message: 'malformed placeholder: write {{field.name}} (letters, digits, _ @ . : -)' });

// A text, or a list of alternatives: the first whose placeholders all have values is shown.
const alternatives = (max: number) =>
  z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(templateText, { error: 'expected a text or a list of texts' }).min(1).max(max));

const fieldSchema = z.strictObject({
  label: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[^\n*`]+$/, { message: 'a label is one line without * or `' }),
  value: alternatives(5),
});

export const templateFileSchema = z.strictObject({
  // One template serves a source's every kind of event (the ssh one: logins, sudo, su, account changes).
  summary: alternatives(10).optional(),
  fields: z.array(fieldSchema).max(30).default([]),
});

export type TemplateFile = z.infer<typeof templateFileSchema>;
