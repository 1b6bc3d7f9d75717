import { cloudTrailEventUrl, cloudWatchConsoleEncode, cloudWatchLogsUrl, safeLinkUrl, wafWebAclUrl } from '../../src/slack/console-links';

describe('cloudWatchConsoleEncode', () => {
  it.each([
    ['/aws/lambda/klaxon', '$252Faws$252Flambda$252Fklaxon'],
    ['2024/03/03/[$LATEST]abc', '2024$252F03$252F03$252F$255B$2524LATEST$255Dabc'],
    ['a b|c<d>', 'a$2520b$257Cc$253Cd$253E'],
  ])('encodes %j the way the console does', (input, expected) => {
    expect(cloudWatchConsoleEncode(input)).toBe(expected);
  });
});

describe('cloudWatchLogsUrl', () => {
  it('links a stream inside its group', () => {
    expect(cloudWatchLogsUrl('us-east-1', '/var/log/secure', 'i-0abc/secure')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fvar$252Flog$252Fsecure/log-events/i-0abc$252Fsecure',
    );
  });

  it('uses the partition’s console for China regions', () => {
    expect(cloudWatchLogsUrl('cn-north-1', 'g')).toBe('https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#logsV2:log-groups/log-group/g');
  });

  it.each(['', 'EU-WEST-1', 'eu-west-1"><script>', 'eu-west-1.evil.example/x', 'localhost'])('builds nothing for region %j', (region) => {
    expect(cloudWatchLogsUrl(region, '/g', 's')).toBeUndefined();
  });
});

describe('cloudTrailEventUrl', () => {
  it('encodes the event id', () => {
    expect(cloudTrailEventUrl('eu-west-1', 'a/b|c')).toBe('https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/a%2Fb%7Cc');
  });
});

describe('wafWebAclUrl', () => {
  it('links a regional web ACL in its region', () => {
    expect(wafWebAclUrl('arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/api-acl/a1b2c3d4-5678-90ab-cdef-111122223333')).toBe(
      'https://eu-west-1.console.aws.amazon.com/wafv2/homev2/web-acl/api-acl/a1b2c3d4-5678-90ab-cdef-111122223333/overview?region=eu-west-1',
    );
  });

  it('links a CloudFront web ACL with region=global', () => {
    expect(wafWebAclUrl('arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn-acl/a1b2c3d4-5678-90ab-cdef-111122223333')).toBe(
      'https://us-east-1.console.aws.amazon.com/wafv2/homev2/web-acl/cdn-acl/a1b2c3d4-5678-90ab-cdef-111122223333/overview?region=global',
    );
  });

  it.each(['', 'a1b2c3d4-5678-90ab-cdef-111122223333', 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a|b/a1b2c3d4-5678-90ab-cdef-111122223333'])(
    'builds nothing for %j',
    (arn) => {
      expect(wafWebAclUrl(arn)).toBeUndefined();
    },
  );
});

describe('safeLinkUrl', () => {
  it('accepts http(s) and encodes what would end Slack link markup', () => {
    expect(safeLinkUrl('https://wiki.example/run|book?x=<y>')).toBe('https://wiki.example/run%7Cbook?x=%3Cy%3E');
  });

  it.each(['javascript:alert(1)', 'not a url', 'ftp://x.example/'])('rejects %j', (url) => {
    expect(safeLinkUrl(url)).toBeUndefined();
  });
});
