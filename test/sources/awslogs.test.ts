import { checkPayload, decodeAwsLogsEvent, encodeAwsLogsEvent, isAwsLogsEvent, type CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { parseRoutes, routeLogGroup, sniffMessage, DEFAULT_ROUTES } from '../../src/sources/routing';

const payload: CloudWatchLogsPayload = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/var/log/auth.log',
  logStream: 'i-0abc',
  subscriptionFilters: ['klaxon-ssh'],
  logEvents: [{ id: '3719', timestamp: 1730541600000, message: 'Nov  2 10:00:00 bastion sshd[1]: Accepted publickey for alice from 192.0.2.1 port 22 ssh2' }],
};

describe('CloudWatch Logs envelope', () => {
  it('decodes the base64 gzip payload a subscription filter delivers', () => {
    const event = encodeAwsLogsEvent(payload);
    expect(isAwsLogsEvent(event)).toBe(true);
    expect(decodeAwsLogsEvent(event)).toEqual({ ok: true, payload });
  });

  it('reports data that is not base64 gzip JSON, and malformed payloads, without throwing', () => {
    expect(decodeAwsLogsEvent({ awslogs: { data: 'not-gzip' } })).toMatchObject({ ok: false });
    expect(checkPayload({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', message: 'x' }] })).toMatchObject({ ok: false, message: expect.stringContaining('logEvents[0]') });
    expect(checkPayload({ messageType: 'NOPE', logEvents: [] })).toMatchObject({ ok: false });
    expect(checkPayload([])).toMatchObject({ ok: false });
  });

  it('reads a payload whose id or filter names are JSON objects that cannot become text (toString: false) without throwing', () => {
    // JSON can write what String() cannot convert: {"toString": false} has no callable toString or valueOf.
    const payload = JSON.parse(
      '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[{"toString":false}],"logEvents":[{"id":{"toString":false},"timestamp":1700000000000,"message":"m"}]}',
    ) as unknown;
    const result = checkPayload(payload);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.payload.logEvents[0]?.id).toBe('{"toString":false}');
    expect(result.ok && result.payload.subscriptionFilters).toEqual(['{"toString":false}']);
    expect(checkPayload({ messageType: 'DATA_MESSAGE', subscriptionFilters: [Object.create(null)], logEvents: [{ id: Object.create(null), timestamp: 1, message: 'm' }] })).toMatchObject({ ok: true });
  });
});

describe('log group routing', () => {
  it('routes by the default globs', () => {
    expect(routeLogGroup('aws-waf-logs-prod', DEFAULT_ROUTES)).toBe('waf');
    expect(routeLogGroup('/var/log/secure', DEFAULT_ROUTES)).toBe('ssh');
    expect(routeLogGroup('aws-cloudtrail-logs-123', DEFAULT_ROUTES)).toBe('cloudtrail');
    expect(routeLogGroup('/app/web', DEFAULT_ROUTES)).toBeUndefined();
  });

  it('parses KLAXON_LOG_GROUP_SOURCES and reports bad entries', () => {
    const { routes, problems } = parseRoutes('/prod/bastion/*=ssh, edge=waf, broken, x=mail');
    expect(routes).toEqual([
      { pattern: '/prod/bastion/*', source: 'ssh' },
      { pattern: 'edge', source: 'waf' },
    ]);
    expect(problems).toHaveLength(2);
    expect(routeLogGroup('/prod/bastion/messages', routes)).toBe('ssh');
    expect(routeLogGroup('/prod/bastion.x', routes)).toBeUndefined();
  });

  it('sniffs a message when no route names the group', () => {
    expect(sniffMessage('{"timestamp":1,"httpRequest":{}}')).toBe('waf');
    expect(sniffMessage('{"eventVersion":"1.08"}')).toBe('cloudtrail');
    expect(sniffMessage('Nov  2 10:00:00 h sshd[1]: x')).toBe('ssh');
  });
});
