/** A JSON value as it can appear in an event field. */
export type Scalar = string | number | boolean | null;
export type FieldValue = Scalar | FieldValue[] | { [key: string]: FieldValue };

export const EVENT_SOURCES = ['ssh', 'waf', 'cloudtrail', 'alarm'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** The event.outcome values the parsers set (ECS allows `unknown` too; none sets it). */
export const OUTCOMES = ['success', 'failure'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * A normalized event. `fields` holds Elastic Common Schema names as flat dotted keys
 * (`source.ip`, `event.action`, `@timestamp`, `event.original`, ...). A field may hold
 * a list (`aws.waf.labels`) or a map (`http.request.headers`).
 *
 * JSON sources keep their parsed record in `raw` so that rules can address the
 * record's own fields (`eventName`, `requestParameters.groupId`) as Sigma rules do.
 */
export interface KlaxonEvent {
  /** `@timestamp` as epoch milliseconds, for windows and ordering. */
  timestamp: number;
  source: EventSource;
  fields: Record<string, FieldValue>;
  raw?: Record<string, unknown>;
}

/**
 * The result of reading one line or record: events, a line that is not for us, or a located
 * problem. `generic` marks events that carry only what every line of the format has (an
 * auth-log line's header and message): Klaxon does not know the message. `problem` says why a
 * message of a kind Klaxon knows could not be read, when that left it generic. `unbuilt`
 * counts events that were not built because no loaded rule could match them (`events` is then
 * empty); a generic one is then not known to be partial.
 */
export type ParseResult =
  | { status: 'ok'; events: KlaxonEvent[]; generic?: true; problem?: string; unbuilt?: number }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; message: string };

export function ok(events: KlaxonEvent[]): ParseResult {
  return { status: 'ok', events };
}

/** Events read only as generic ones; `problem` when the message looked known but could not be read. */
export function generic(events: KlaxonEvent[], problem?: string): ParseResult {
  return problem === undefined ? { status: 'ok', events, generic: true } : { status: 'ok', events, generic: true, problem };
}

const NO_EVENTS: KlaxonEvent[] = Object.freeze([]) as unknown as KlaxonEvent[];
const ONE_UNBUILT: ParseResult = Object.freeze({ status: 'ok', events: NO_EVENTS, unbuilt: 1 });
const ONE_UNBUILT_GENERIC: ParseResult = Object.freeze({ status: 'ok', events: NO_EVENTS, generic: true, unbuilt: 1 });

/**
 * A line whose `count` events no loaded rule can match, so they were not built (a scan's
 * prefilter): counted as events, handed to no one. One-event results are shared, not allocated.
 */
export function unbuilt(count: number, isGeneric: boolean): ParseResult {
  if (count === 1) return isGeneric ? ONE_UNBUILT_GENERIC : ONE_UNBUILT;
  return isGeneric ? { status: 'ok', events: NO_EVENTS, generic: true, unbuilt: count } : { status: 'ok', events: NO_EVENTS, unbuilt: count };
}

export function skipped(reason: string): ParseResult {
  return { status: 'skipped', reason };
}

export function parseError(message: string): ParseResult {
  return { status: 'error', message };
}

/** Which field names a source produces, for validating rule files. */
export interface FieldCatalogue {
  /** Exact field names. */
  fields: readonly string[];
  /** Prefixes under which any name is allowed (maps such as `http.request.headers.`, raw record roots such as `requestParameters.`). */
  prefixes: readonly string[];
  /** What some fields hold, so that rule values can be checked against it; fields not listed may hold text or anything. */
  kinds?: Readonly<Record<string, FieldKind>>;
  /**
   * The values the parser gives a field with a closed vocabulary (event.action, event.outcome,
   * event.category, event.type), exported by the parser itself; `'any'` when it passes the
   * record's value through, `[]` when it never sets the field.
   */
  values?: Readonly<Record<string, readonly string[] | 'any'>>;
}

/**
 * number: a number (or numeric text); ip: an IP address; address: an IP address or a host name; timestamp: ISO 8601 text;
 * country: an ISO 3166-1 alpha-2 code (`DE`).
 */
export type FieldKind = 'number' | 'ip' | 'address' | 'timestamp' | 'country';
