import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { checkTrail, doctorClients, type DoctorContext } from '../../src/aws/doctor-checks';
import { stageNames } from '../../src/deploy/names';

const REGION = 'eu-west-1';
const cloudtrail = mockClient(CloudTrailClient);

const ctx = (): DoctorContext => ({ stage: 'prod', region: REGION, names: stageNames('prod', {}), configFile: 'deploy/prod.yml', clients: { ...doctorClients(REGION), cloudtrail: new CloudTrailClient({ region: REGION }) } });

function trail(name: string, over: Partial<Trail> = {}): Trail {
  return { Name: name, TrailARN: `arn:aws:cloudtrail:us-east-1:123456789012:trail/${name}`, HomeRegion: 'us-east-1', IsMultiRegionTrail: true, ...over };
}

/** Trails by ARN: whether each logs, and its selectors. */
function account(trails: Array<{ trail: Trail; logging: boolean; selectors: Record<string, unknown> }>): void {
  cloudtrail.reset();
  cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: trails.map((t) => t.trail) });
  cloudtrail.on(GetTrailStatusCommand).callsFake(({ Name }: { Name: string }) => ({ IsLogging: trails.find((t) => t.trail.TrailARN === Name)?.logging }));
  cloudtrail.on(GetEventSelectorsCommand).callsFake(({ TrailName }: { TrailName: string }) => trails.find((t) => t.trail.TrailARN === TrailName)?.selectors ?? {});
}

const ALL_MANAGEMENT = { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };

test('an organisation trail homed in another region, logging management events, covers this region', async () => {
  account([{ trail: trail('org-trail', { IsOrganizationTrail: true }), logging: true, selectors: ALL_MANAGEMENT }]);
  await expect(checkTrail(ctx())).resolves.toMatchObject({ status: 'ok', title: 'org-trail (multi-region, organisation, home us-east-1): logging write management events in eu-west-1' });
  // Shadow trails (multi-region trails seen from another region) are asked for, and each status is asked by ARN.
  expect(cloudtrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({ includeShadowTrails: true });
  expect(cloudtrail.commandCalls(GetTrailStatusCommand)[0]?.args[0].input).toEqual({ Name: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail' });
});

test('no trail: the check fails and offers createTrail or a trail of your own', async () => {
  account([]);
  const r = await checkTrail(ctx());
  expect(r).toMatchObject({ status: 'fail', title: 'no CloudTrail trail covers eu-west-1' });
  expect(r.fix[0]).toBe('set cloudtrail: { createTrail: true } in deploy/prod.yml, then: npx serverless deploy --stage prod');
});

test("a single-region trail of another region does not cover this one", async () => {
  account([{ trail: trail('us-only', { IsMultiRegionTrail: false }), logging: true, selectors: ALL_MANAGEMENT }]);
  await expect(checkTrail(ctx())).resolves.toMatchObject({ status: 'fail', title: 'no CloudTrail trail covers eu-west-1' });
});

test('a stopped trail: start it', async () => {
  account([{ trail: trail('stopped'), logging: false, selectors: ALL_MANAGEMENT }]);
  const r = await checkTrail(ctx());
  expect(r).toMatchObject({ status: 'fail', title: 'no trail covering eu-west-1 is logging write management events' });
  expect(r.details[0]).toBe('stopped (multi-region, home us-east-1): not logging, write management events selected');
  expect(r.fix).toEqual(['aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:123456789012:trail/stopped']);
});

test.each([
  ['basic selectors, read-only', { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] }],
  ['basic selectors, data events only', { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] }],
  ['advanced selectors, read-only management events', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }] }],
  ['advanced selectors, management events of other services', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['iam.amazonaws.com'] }] }] }],
  ['advanced selectors, EC2 left out', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['ec2.amazonaws.com'] }] }] }],
  ['advanced selectors, data events only', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] }],
])('a logging trail whose selectors leave out security-group calls (%s) fails, naming put-event-selectors', async (_, selectors) => {
  account([{ trail: trail('narrow'), logging: true, selectors }]);
  const r = await checkTrail(ctx());
  expect(r.status).toBe('fail');
  expect(r.details[0]).toBe('narrow (multi-region, home us-east-1): logging, no write management events selected');
  expect(r.fix[0]).toContain('aws cloudtrail put-event-selectors --trail-name arn:aws:cloudtrail:us-east-1:123456789012:trail/narrow');
});

test.each([
  ['basic selectors, write-only', { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }],
  ['advanced selectors, write management events', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] }],
  ['advanced selectors, EC2 management events', { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', Equals: ['ec2.amazonaws.com'] }] }] }],
])('selectors with write management events pass (%s)', async (_, selectors) => {
  account([{ trail: trail('local', { HomeRegion: REGION, IsMultiRegionTrail: false, TrailARN: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/local' }), logging: true, selectors }]);
  await expect(checkTrail(ctx())).resolves.toMatchObject({ status: 'ok' });
});

test('one good trail among others is enough', async () => {
  account([
    { trail: trail('stopped'), logging: false, selectors: ALL_MANAGEMENT },
    { trail: trail('good'), logging: true, selectors: ALL_MANAGEMENT },
  ]);
  await expect(checkTrail(ctx())).resolves.toMatchObject({ status: 'ok', title: expect.stringMatching(/^good /) });
});

test('AccessDenied names the three CloudTrail actions doctor needs', async () => {
  cloudtrail.reset();
  cloudtrail.on(DescribeTrailsCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
  const r = await checkTrail(ctx());
  expect(r).toMatchObject({ status: 'fail', title: 'trails covering eu-west-1: could not check' });
  expect(r.fix).toEqual(['allow cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors to the AWS identity doctor runs as']);
});
