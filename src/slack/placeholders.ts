/**
 * Filling template placeholders from an alert. Every value comes from a log, so each one is
 * escaped (and capped) as it is substituted; the template's own text is the author's.
 */
import type { Alert } from '../engine/alert';
import { getField } from '../events/fields';
import { interpolate, placeholders } from '../events/interpolate';
import { escapeMrkdwn } from './escape';
import { literalWithin } from './limits';
import { valueText } from './value-text';

/** The longest a single substituted value may get, so one huge value cannot crowd out the rest. */
export const MAX_VALUE_LENGTH = 1000;
/** Shown for an empty placeholder in a text where other placeholders have values. */
export const MISSING_VALUE = '—';

export type FieldLookup = (path: string) => string;

/** Reads a field as text from the alert's group fields first, then from its first sample event; '' when absent. */
export function alertLookup(alert: Alert): FieldLookup {
  const sample = alert.samples[0];
  const cache = new Map<string, string>();
  return (path) => {
    let text = cache.get(path);
    if (text === undefined) {
      if (Object.hasOwn(alert.fields, path)) text = valueText(alert.fields[path]);
      else text = sample === undefined ? '' : valueText(getField(sample, path));
      cache.set(path, text);
    }
    return text;
  };
}

/**
 * Fills a template text, escaped for mrkdwn. Undefined when the text has placeholders and all of
 * them are empty: the line has nothing to say.
 *
 * @example
 *   fillTemplate('{{user.name}} from {{source.ip}}', lookup); // '&lt;@U1&gt; from 192.0.2.7'
 */
export function fillTemplate(text: string, lookup: FieldLookup): string | undefined {
  const paths = placeholders(text);
  if (paths.length > 0 && paths.every((p) => lookup(p).trim() === '')) return undefined;
  // The template's own text is escaped too (an author writing `a < b` means the character);
  // placeholder names cannot contain & < >, so escaping first leaves them intact.
  return interpolate(escapeMrkdwn(text), (path) => {
    const value = lookup(path).trim();
    return value === '' ? MISSING_VALUE : literalWithin(value, MAX_VALUE_LENGTH);
  });
}

/**
 * Fills a list of alternatives: the first whose placeholders all have values; failing that, the
 * last one, unless all of its placeholders are empty too.
 *
 * @example
 *   fillFirst(['{{source.ip}} port {{source.port}}', '{{source.ip}}'], lookup); // '192.0.2.7' when there is no port
 */
export function fillFirst(alternatives: readonly string[], lookup: FieldLookup): string | undefined {
  const complete = alternatives.find((text) => placeholders(text).every((p) => lookup(p).trim() !== ''));
  const chosen = complete ?? alternatives[alternatives.length - 1];
  return chosen === undefined ? undefined : fillTemplate(chosen, lookup);
}
