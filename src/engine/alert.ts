import type { EventSource, FieldValue, KlaxonEvent } from '../events/event';
import type { Severity } from '../rules/types';

/** An alert candidate: what the engine found for one fingerprint in one realert window. */
export interface Alert {
  rule: string;
  severity: Severity;
  title: string;
  description?: string;
  runbook?: string;
  /** rule id + group values, hashed: stable across runs and invocations. */
  fingerprint: string;
  /** 1 for the group's first alert, then 2, 3...: with the fingerprint, names this alert. */
  sequence: number;
  count: number;
  /** epoch ms */
  firstSeen: number;
  lastSeen: number;
  /** The rule's group-by fields and their values. */
  fields: Record<string, FieldValue>;
  /** The first few events, for rendering and evidence. */
  samples: KlaxonEvent[];
  sources: EventSource[];
  slack: { channel?: string; template?: string; mention: string[] };
  /**
   * The group's previous alert, when the engine saw one: when it was last seen, and how
   * many matching events came in after it that did not become part of this alert (below
   * the threshold, expired from its window).
   */
  previous?: { lastSeen: number; between: number };
}
