import fc from 'fast-check';
import type { KlaxonEvent, ParseResult } from '../../src/events/event';
import { getField } from '../../src/events/fields';
import { fieldCatalogue, isKnownField } from '../../src/sources/catalogue';
import { CLOUDTRAIL_FIELDS } from '../../src/sources/cloudtrail-fields';
import { cloudTrailRecords, looksLikeCloudTrail, normalizeCloudTrailRecord } from '../../src/sources/cloudtrail';
import { mutate, mutation } from '../helpers/mutate';
import { jsonFixture, onlyEvent } from '../helpers/fixtures';

const FIXTURE_NAMES = [
  'log-file',
  'eventbridge-authorize-ingress-items',
  'authorize-ingress-legacy',
  'modify-security-group-rules',
  'revoke-ingress',
  'create-security-group',
  'authorize-ingress-denied',
];

function fixture(name: string): { text: string; json: Record<string, unknown> } {
  return jsonFixture('cloudtrail', name);
}

const only = onlyEvent;

/** Every event of a fixture, through the same unwrap-then-normalize path the decoder takes. */
function events(name: string): KlaxonEvent[] {
  const { text, json } = fixture(name);
  const { records, problems } = cloudTrailRecords(json);
  expect(problems).toEqual([]);
  return records.map(({ record, envelopeId }) => only(normalizeCloudTrailRecord(record, text, envelopeId)));
}

function event(name: string): KlaxonEvent {
  const all = events(name);
  expect(all).toHaveLength(1);
  return all[0] as KlaxonEvent;
}

describe('cloudTrailRecords', () => {
  it('unwraps a log file into its records, without envelope ids', () => {
    const { json } = fixture('log-file');
    const { records, problems } = cloudTrailRecords(json);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual({ record: (json.Records as unknown[])[0] });
    expect(records.every((r) => r.envelopeId === undefined)).toBe(true);
  });

  it('unwraps an EventBridge envelope, keeping its id', () => {
    const { json } = fixture('eventbridge-authorize-ingress-items');
    const { records, problems } = cloudTrailRecords(json);
    expect(problems).toEqual([]);
    expect(records).toEqual([{ record: json.detail, envelopeId: '7bf73129-1428-4cd3-a780-95db273d1602' }]);
  });

  it('passes a single record through', () => {
    const { json } = fixture('revoke-ingress');
    expect(cloudTrailRecords(json)).toEqual({ records: [{ record: json }], problems: [] });
  });

  it('keeps every element of a log file in place, so that bad ones are reported as Records[i]', () => {
    const good = fixture('revoke-ingress').json;
    const { records, problems } = cloudTrailRecords({ Records: [good, 'oops', null, good] });
    expect(problems).toEqual([]);
    expect(records.map((r) => r.record)).toEqual([good, 'oops', null, good]);
    expect(records.map((r) => normalizeCloudTrailRecord(r.record, '').status)).toEqual(['ok', 'error', 'error', 'ok']);
  });

  it('accepts an empty log file', () => {
    expect(cloudTrailRecords({ Records: [] })).toEqual({ records: [], problems: [] });
  });

  it.each([
    ['an array', [1, 2], /expected a JSON object, got an array/],
    ['null', null, /got null/],
    ['a string', 'Records', /got string/],
    ['Records that is not a list', { Records: { eventName: 'x' } }, /"Records" is not a list/],
    ['another EventBridge event', { id: 'e1', 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running' } }, /detail-type "EC2 Instance State-change Notification"/],
    ['an EventBridge CloudTrail event without detail', { id: 'e1', 'detail-type': 'AWS API Call via CloudTrail' }, /no "detail" object/],
    ['a digest file', { awsAccountId: '123456789012', digestStartTime: '2024-06-01T00:00:00Z', digestEndTime: '2024-06-01T01:00:00Z' }, /digest file/],
    ['a WAF record', { timestamp: 1, webaclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b', action: 'BLOCK', httpRequest: {} }, /not CloudTrail/],
  ])('reports %s as not CloudTrail', (_label, value, message) => {
    const { records, problems } = cloudTrailRecords(value);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe('looksLikeCloudTrail', () => {
  it.each(FIXTURE_NAMES)('recognises %s', (name) => {
    expect(looksLikeCloudTrail(fixture(name).json)).toBe(true);
  });

  it('recognises an empty log file and a console sign-in via EventBridge', () => {
    expect(looksLikeCloudTrail({ Records: [] })).toBe(true);
    expect(looksLikeCloudTrail({ 'detail-type': 'AWS Console Sign In via CloudTrail', detail: {} })).toBe(true);
  });

  it('does not claim other JSON', () => {
    const waf: unknown = jsonFixture('waf', 'block-regular-rule').json;
    for (const value of [waf, null, 1, 'x', [], {}, { Records: [1] }, { 'detail-type': 'Scheduled Event', detail: {} }, { messageType: 'DATA_MESSAGE', logEvents: [] }]) {
      expect(looksLikeCloudTrail(value)).toBe(false);
    }
  });
});

describe('normalizeCloudTrailRecord', () => {
  it('maps a failed console sign-in (no errorCode) to exactly these fields', () => {
    const { text, json } = fixture('log-file');
    const record = (json.Records as Array<Record<string, unknown>>)[0];
    const e = only(normalizeCloudTrailRecord(record, text));
    expect(e.source).toBe('cloudtrail');
    expect(e.timestamp).toBe(Date.UTC(2024, 5, 1, 12, 0, 5));
    expect(e.raw).toBe(record);
    expect(e.fields).toEqual({
      '@timestamp': '2024-06-01T12:00:05.000Z',
      'event.source': 'cloudtrail',
      'event.original': text,
      'event.kind': 'event',
      'event.action': 'ConsoleLogin',
      'event.outcome': 'failure',
      'event.category': ['authentication'],
      'event.type': ['start'],
      'event.provider': 'signin.amazonaws.com',
      'event.id': '3b1c2a4e-0000-4000-8000-000000000001',
      'error.message': 'Failed authentication',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'cloud.region': 'us-east-1',
      'source.ip': '203.0.113.10',
      'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15',
      'user.id': 'AIDAEXAMPLEUSERID1234',
      'user.name': 'alice',
      'aws.cloudtrail.user_identity.type': 'IAMUser',
      'aws.cloudtrail.user_identity.arn': 'arn:aws:iam::123456789012:user/alice',
      'aws.cloudtrail.event_type': 'AwsConsoleSignIn',
      'aws.cloudtrail.event_category': 'Management',
      'aws.cloudtrail.event_version': '1.09',
      'aws.cloudtrail.read_only': false,
      'aws.cloudtrail.management_event': true,
    });
  });

  it('names an assumed-role caller by its session, from an IPv6 address, for a read-only call', () => {
    const f = (events('log-file')[1] as KlaxonEvent).fields;
    expect(f['event.action']).toBe('DescribeSecurityGroups');
    expect(f['event.outcome']).toBe('success');
    expect(f['event.category']).toEqual(['api']);
    expect(f['event.type']).toEqual(['access']);
    expect(f['source.ip']).toBe('2001:db8::1f');
    expect(f['user.name']).toBe('bob@example.com');
    expect(f['user.id']).toBe('AROAEXAMPLEROLEID5678:bob@example.com');
    expect(f['aws.cloudtrail.user_identity.type']).toBe('AssumedRole');
    expect(f['aws.cloudtrail.user_identity.arn']).toBe('arn:aws:sts::123456789012:assumed-role/ReadOnlyAuditor/bob@example.com');
    expect(f['aws.cloudtrail.user_identity.access_key_id']).toBe('ASIAIOSFODNN7EXAMPLE');
    expect(f['aws.cloudtrail.user_identity.session_context.session_issuer.arn']).toBe('arn:aws:iam::123456789012:role/ReadOnlyAuditor');
    expect(f['aws.cloudtrail.user_identity.session_context.session_issuer.type']).toBe('Role');
    expect(f['aws.cloudtrail.user_identity.session_context.mfa_authenticated']).toBe('true');
    expect(f['aws.cloudtrail.read_only']).toBe(true);
    expect(f['aws.cloudtrail.request_id']).toBe('6c8a2f1d-0000-4000-8000-00000000aaaa');
    expect(f['aws.security_group.id']).toBeUndefined();
    expect(f['cloud.region']).toBe('eu-west-1');
  });

  it('derives security-group facts for a call in a log file', () => {
    const f = (events('log-file')[2] as KlaxonEvent).fields;
    expect(f['event.category']).toEqual(['network', 'configuration']);
    expect(f['event.type']).toEqual(['change']);
    expect(f['aws.security_group.id']).toBe('sg-0a1b2c3d4e5f60718');
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.open_ports']).toEqual(['tcp/3389']);
    expect(f['aws.security_group.exposed_ports']).toEqual([3389]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/3389']);
  });

  it('flags a flat-form grant next to the empty ipPermissions ({}) CloudTrail writes', () => {
    const record = structuredClone(fixture('authorize-ingress-legacy').json);
    record.requestParameters = { groupId: 'sg-1', ipPermissions: {}, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' };
    const f = only(normalizeCloudTrailRecord(record, '{}')).fields;
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.open_ports']).toEqual(['tcp/22']);
    expect(f['aws.security_group.exposed_ports']).toEqual([22]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/22']);
  });

  it('reads an EventBridge envelope: record id as event.id, envelope id kept apart', () => {
    const e = event('eventbridge-authorize-ingress-items');
    const { json } = fixture('eventbridge-authorize-ingress-items');
    expect(e.raw).toEqual(json.detail);
    expect(e.fields['event.id']).toBe('9a8b7c6d-0000-4000-8000-000000000010');
    expect(e.fields['aws.eventbridge.id']).toBe('7bf73129-1428-4cd3-a780-95db273d1602');
    expect(e.fields['user.name']).toBe('carol');
    expect(e.fields['aws.security_group.open_ports']).toEqual(['tcp/22']);
  });

  it('falls back to the envelope id when the record has no eventID', () => {
    const record = structuredClone(fixture('revoke-ingress').json);
    delete record.eventID;
    expect(only(normalizeCloudTrailRecord(record, '{}', 'env-1')).fields['event.id']).toBe('env-1');
  });

  it('reports a failed call: error code and message, failure, denied', () => {
    const f = event('authorize-ingress-denied').fields;
    expect(f['event.outcome']).toBe('failure');
    expect(f['error.code']).toBe('Client.UnauthorizedOperation');
    expect(f['error.message']).toBe(
      'You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/intern is not authorized to perform: ec2:AuthorizeSecurityGroupIngress',
    );
    expect(f['event.type']).toEqual(['change', 'denied']);
    expect(f['@timestamp']).toBe('2024-06-07T14:45:00.123Z');
    // The derived facts describe the request; rules combine them with event.outcome.
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.open_all_ports']).toBe(true);
  });

  it('marks other failures as errors', () => {
    const record = { ...fixture('revoke-ingress').json, errorCode: 'InvalidPermission.NotFound', errorMessage: 'The specified rule does not exist' };
    const f = only(normalizeCloudTrailRecord(record, '{}')).fields;
    expect(f['event.outcome']).toBe('failure');
    expect(f['event.type']).toEqual(['change', 'error']);
  });

  it('keeps a service name in sourceIPAddress out of source.ip; reads invokedBy and the session name', () => {
    const f = event('create-security-group').fields;
    expect(f['source.ip']).toBeUndefined();
    expect(f['source.address']).toBe('cloudformation.amazonaws.com');
    expect(f['aws.cloudtrail.user_identity.invoked_by']).toBe('cloudformation.amazonaws.com');
    expect(f['user.name']).toBe('AWSCloudFormation');
    expect(f['event.type']).toEqual(['creation']);
    expect(f['aws.security_group.id']).toBe('sg-0c0ffee0c0ffee000');
    expect(f['aws.security_group.name']).toBe('web-tier');
    expect(f['aws.security_group.vpc_id']).toBe('vpc-0123456789abcdef0');
    expect(f['aws.security_group.permissions']).toEqual([]);
    expect(f['aws.security_group.open_to_world']).toBe(false);
  });

  it('treats "AWS Internal" as an address, not an IP', () => {
    const f = event('modify-security-group-rules').fields;
    expect(f['source.address']).toBe('AWS Internal');
    expect(f['source.ip']).toBeUndefined();
  });

  it.each([
    ['a root user', { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' }, 'root'],
    ['a federated user', { type: 'FederatedUser', principalId: '123456789012:dave', arn: 'arn:aws:sts::123456789012:federated-user/dave', accountId: '123456789012' }, 'dave'],
    ['an AWS service', { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, undefined],
  ])('names %s', (_label, userIdentity, name) => {
    const record = { ...fixture('revoke-ingress').json, userIdentity };
    expect(only(normalizeCloudTrailRecord(record, '{}')).fields['user.name']).toBe(name);
  });

  it('takes the account from userIdentity when recipientAccountId is absent', () => {
    const record = structuredClone(fixture('revoke-ingress').json);
    delete record.recipientAccountId;
    expect(only(normalizeCloudTrailRecord(record, '{}')).fields['cloud.account.id']).toBe('123456789012');
  });

  it('classifies authentication, IAM and other calls', () => {
    const base = fixture('revoke-ingress').json;
    const of = (patch: Record<string, unknown>) => only(normalizeCloudTrailRecord({ ...base, ...patch }, '{}')).fields;
    expect(of({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', readOnly: true })['event.category']).toEqual(['authentication']);
    expect(of({ eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity', readOnly: true })['event.category']).toEqual(['api']);
    expect(of({ eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey' })['event.category']).toEqual(['iam']);
    expect(of({ eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey' })['event.type']).toEqual(['creation']);
    expect(of({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' })['event.category']).toEqual(['configuration']);
    expect(of({ eventSource: 'ec2.amazonaws.com', eventName: 'TerminateInstances' })['event.type']).toEqual(['deletion']);
  });

  it('keeps the raw record reachable for rules, next to the derived fields', () => {
    const e = event('eventbridge-authorize-ingress-items');
    expect(getField(e, 'eventName')).toBe('AuthorizeSecurityGroupIngress');
    expect(getField(e, 'requestParameters.groupId')).toBe('sg-0123456789abcdef0');
    expect(getField(e, 'requestParameters.ipPermissions.items.ipRanges.items.cidrIp')).toEqual(['0.0.0.0/0', '192.0.2.0/24']);
    expect(getField(e, 'userIdentity.sessionContext.sessionIssuer.userName')).toBe('PlatformAdmin');
    expect(getField(e, 'aws.security_group.permissions.cidr')).toEqual(['0.0.0.0/0', '192.0.2.0/24']);
    expect(getField(e, 'aws.security_group.permissions.prefix_list_id')).toEqual(['pl-0123456789abcdef0']);
  });

  it.each([
    ['missing eventTime', (r: Record<string, unknown>) => delete r.eventTime, 'CloudTrail record is missing "eventTime"'],
    ['unreadable eventTime', (r: Record<string, unknown>) => (r.eventTime = 'yesterday'), 'CloudTrail record field "eventTime" is not an ISO 8601 time'],
    ['numeric eventTime', (r: Record<string, unknown>) => (r.eventTime = 1717243200000), 'CloudTrail record field "eventTime" is not an ISO 8601 time'],
    ['missing eventName', (r: Record<string, unknown>) => delete r.eventName, 'CloudTrail record is missing "eventName"'],
  ])('rejects a record with %s', (_label, change, message) => {
    const record = structuredClone(fixture('revoke-ingress').json);
    change(record);
    expect(normalizeCloudTrailRecord(record, '{}')).toEqual({ status: 'error', message });
  });

  it('rejects a whole log file and non-objects', () => {
    expect(normalizeCloudTrailRecord(fixture('log-file').json, '{}').status).toBe('error');
    for (const value of [null, 3, 'x', []]) expect(normalizeCloudTrailRecord(value, '')).toEqual({ status: 'error', message: 'CloudTrail record is not a JSON object' });
  });

  it('emits only catalogued fields, and every ECS field of the catalogue is emitted by some fixture', () => {
    const catalogue = fieldCatalogue(['cloudtrail']);
    const emitted = new Set(FIXTURE_NAMES.flatMap(events).flatMap((e) => Object.keys(e.fields)));
    for (const key of emitted) expect([key, isKnownField(catalogue, key)]).toEqual([key, true]);
    for (const key of CLOUDTRAIL_FIELDS.fields) expect([key, emitted.has(key)]).toEqual([key, true]);
  });
});


function expectOkOrError(result: ParseResult): void {
  expect(['ok', 'error']).toContain(result.status);
  if (result.status === 'ok') for (const e of result.events) expect(Number.isFinite(e.timestamp)).toBe(true);
}

/** Everything the decoder does with one JSON value. */
function decode(value: unknown): void {
  looksLikeCloudTrail(value);
  const { records, problems } = cloudTrailRecords(value);
  expect(Array.isArray(problems)).toBe(true);
  for (const { record, envelopeId } of records) expectOkOrError(normalizeCloudTrailRecord(record, '', envelopeId));
  expectOkOrError(normalizeCloudTrailRecord(value, ''));
}

describe('the CloudTrail parser never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), decode), { numRuns: 500 });
  });

  it('on arbitrary values of any kind', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true }), decode),
      { numRuns: 500 },
    );
  });

  it('on mutated valid inputs (files, envelopes, records)', () => {
    const inputs = FIXTURE_NAMES.map((name) => fixture(name).json);
    fc.assert(
      fc.property(fc.constantFrom(...inputs), fc.array(mutation, { minLength: 1, maxLength: 6 }), (input, mutations) => decode(mutate(input, mutations))),
      { numRuns: 1500 },
    );
  });
});
