import type { KlaxonEvent } from '../events/event';
import type { JsonObject } from '../events/json';

/**
 * What a JSON source tells the scan's prefilter (rules/needed-records.ts) about a valid record
 * before normalizing it: the few fields of its event that its own values give at once, exactly
 * as normalizing would set them. Rules' conditions are judged on those fields alone.
 */
export interface RecordJudge {
  /** The judged fields; a field under one of `prefixes` is judged too. */
  fields: readonly string[];
  prefixes: readonly string[];
  /** How many texts name a record's judged values. */
  arity: number;
  /**
   * Writes the `arity` texts that name the record's judged values into `into` (records alike in
   * all of them are judged alike); false when the record cannot be judged (it is built).
   */
  values(record: JsonObject, into: string[]): boolean;
  /** An event carrying only the record's judged fields. */
  probe(record: JsonObject): KlaxonEvent;
}

/** True when some loaded rule may match the record's event (it is built); false when none can (it is counted, not built). */
export type RecordFilter = (record: JsonObject) => boolean;

/** The prefilter of each JSON source that has one (a scan's DecodeOptions); a source without one is always built. */
export interface RecordFilters {
  waf?: RecordFilter;
  cloudtrail?: RecordFilter;
}
