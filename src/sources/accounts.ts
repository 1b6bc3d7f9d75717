/**
 * The account directory of a central deployment (stage config `accounts:`): a friendly name
 * per AWS account id, shown in messages and readable by rules as `cloud.account.name`, and
 * the Slack channel its alerts go to, per region if need be.
 */
import type { KlaxonEvent } from '../events/event';

/** One account's entry, as the stage config writes it. */
export interface AccountEntry {
  name?: string;
  channel?: string;
  regions?: Record<string, { channel: string }>;
}

/** Account id → entry. */
export type AccountDirectoryData = Record<string, AccountEntry>;

export class AccountDirectory {
  private readonly entries: ReadonlyMap<string, AccountEntry>;

  constructor(
    data: AccountDirectoryData = {},
    /** The region of events that name none (those read in this region: the function's own). */
    private readonly defaultRegion?: string,
  ) {
    this.entries = new Map(Object.entries(data));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds `cloud.account.name` to events whose account has a name (leaving a name the event already has). */
  name(events: readonly KlaxonEvent[]): void {
    if (this.entries.size === 0) return;
    for (const event of events) {
      const account = event.fields['cloud.account.id'];
      if (typeof account !== 'string' || event.fields['cloud.account.name'] !== undefined) continue;
      const name = this.entries.get(account)?.name;
      if (name !== undefined) event.fields['cloud.account.name'] = name;
    }
  }

  /** The channel for an event's account and region, if the directory names one. */
  channelFor(event: Pick<KlaxonEvent, 'fields'>): string | undefined {
    const account = event.fields['cloud.account.id'];
    const entry = typeof account === 'string' ? this.entries.get(account) : undefined;
    if (entry === undefined) return undefined;
    const region = event.fields['cloud.region'];
    const inRegion = typeof region === 'string' ? region : this.defaultRegion;
    return (inRegion === undefined ? undefined : entry.regions?.[inRegion]?.channel) ?? entry.channel;
  }
}
