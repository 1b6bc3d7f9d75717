/**
 * The CloudTrail prerequisite of the security-group alerts: EventBridge receives AWS API calls
 * ("AWS API Call via CloudTrail") only while a trail that covers the region is logging, and
 * logs write management events. `klaxon doctor` checks that with DescribeTrails (shadow
 * trails included, so a multi-region or organisation trail homed elsewhere counts),
 * GetTrailStatus and GetEventSelectors.
 */
import type {
  CloudTrailClient} from '@aws-sdk/client-cloudtrail';
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type EventSelector,
  type Trail,
} from '@aws-sdk/client-cloudtrail';

/** The event source of the calls Klaxon listens for. */
const EC2 = 'ec2.amazonaws.com';

/** Whether the basic selectors log EC2's write management events. */
function basicSelectorsLogWrites(selectors: readonly EventSelector[]): boolean {
  return selectors.some(
    (s) => s.IncludeManagementEvents !== false && s.ReadWriteType !== 'ReadOnly' && !(s.ExcludeManagementEventSources ?? []).includes(EC2),
  );
}

/** Whether one advanced selector's field selectors let EC2's write management events through. */
function advancedSelectorLogsWrites(selector: AdvancedEventSelector): boolean {
  const fields = selector.FieldSelectors ?? [];
  const field = (name: string) => fields.find((f) => f.Field === name);
  const category = field('eventCategory');
  if (!(category?.Equals ?? []).includes('Management')) return false;
  if ((field('readOnly')?.Equals ?? []).includes('true')) return false;
  const source = field('eventSource');
  if (source?.Equals !== undefined && !source.Equals.includes(EC2)) return false;
  if ((source?.NotEquals ?? []).includes(EC2)) return false;
  return true;
}

/** How a trail stands for Klaxon: covering this region, logging, with write management events. */
export interface TrailStanding {
  name: string;
  arn: string;
  homeRegion?: string;
  multiRegion: boolean;
  organization: boolean;
  logging: boolean;
  managementWrites: boolean;
}

/** The trails that cover `region` (its own, and multi-region trails homed elsewhere). */
export function coveringTrails(trails: readonly Trail[], region: string): Trail[] {
  return trails.filter((t) => t.IsMultiRegionTrail === true || t.HomeRegion === region);
}

/** Each covering trail's status and selectors. Throws what the SDK throws (the caller names the action). */
export async function trailStandings(client: CloudTrailClient, region: string): Promise<TrailStanding[]> {
  const { trailList } = await client.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
  const trails = coveringTrails(trailList ?? [], region);
  return Promise.all(
    trails.map(async (trail) => {
      const arn = trail.TrailARN ?? trail.Name ?? '?';
      const [status, selectors] = await Promise.all([
        client.send(new GetTrailStatusCommand({ Name: arn })),
        client.send(new GetEventSelectorsCommand({ TrailName: arn })),
      ]);
      const managementWrites =
        basicSelectorsLogWrites(selectors.EventSelectors ?? []) || (selectors.AdvancedEventSelectors ?? []).some(advancedSelectorLogsWrites);
      return {
        name: trail.Name ?? arn,
        arn,
        homeRegion: trail.HomeRegion,
        multiRegion: trail.IsMultiRegionTrail === true,
        organization: trail.IsOrganizationTrail === true,
        logging: status.IsLogging === true,
        managementWrites,
      };
    }),
  );
}

/** A trail as the report shows it: `name (multi-region, organisation, home us-east-1)`. */
export function describeTrail(t: TrailStanding): string {
  const traits = [t.multiRegion ? 'multi-region' : 'single-region', ...(t.organization ? ['organisation'] : []), ...(t.homeRegion === undefined ? [] : [`home ${t.homeRegion}`])];
  return `${t.name} (${traits.join(', ')})`;
}
