import { condition, conditionProblems, event } from './helpers';

describe('field tests', () => {
  it('a scalar means equals, a list means in', () => {
    const equals = condition({ 'event.outcome': 'failure' });
    expect(equals(event({ 'event.outcome': 'failure' }))).toBe(true);
    expect(equals(event({ 'event.outcome': 'success' }))).toBe(false);
    const within = condition({ 'event.action': ['ssh_login', 'sudo'] });
    expect(within(event({ 'event.action': 'sudo' }))).toBe(true);
    expect(within(event({ 'event.action': 'su' }))).toBe(false);
  });

  it('absent fields never match a value test', () => {
    expect(condition({ 'user.name': 'root' })(event({}))).toBe(false);
    expect(condition({ 'user.name': { startswith: 'r' } })(event({}))).toBe(false);
    expect(condition({ 'source.port': { gt: 0 } })(event({}))).toBe(false);
  });

  it('compares numbers and numeric strings numerically, booleans exactly', () => {
    const port = condition({ 'source.port': 22 });
    expect(port(event({ 'source.port': 22 }))).toBe(true);
    expect(port(event({ 'source.port': '22' }))).toBe(true);
    expect(port(event({ 'source.port': 2222 }))).toBe(false);
    expect(condition({ 'source.port': '22' })(event({ 'source.port': 22 }))).toBe(true);
    expect(condition({ 'source.port': '22' })(event({ 'source.port': '22.0' }))).toBe(false);
    expect(condition({ 'source.port': [22, '2222'] })(event({ 'source.port': 2222 }))).toBe(true);
    const open = condition({ 'aws.security_group.open_to_world': true });
    expect(open(event({ 'aws.security_group.open_to_world': true }))).toBe(true);
    expect(open(event({ 'aws.security_group.open_to_world': 'true' }))).toBe(false);
    expect(open(event({ 'aws.security_group.open_to_world': 1 }))).toBe(false);
  });

  it('string operators take one string or a list (any)', () => {
    const path = condition({ 'url.path': { contains: ['/wp-', '.env'] } });
    expect(path(event({ 'url.path': '/x/.env' }))).toBe(true);
    expect(path(event({ 'url.path': '/index.html' }))).toBe(false);
    expect(condition({ 'url.path': { startswith: '/admin' } })(event({ 'url.path': '/admin/login' }))).toBe(true);
    expect(condition({ 'url.path': { startswith: '/admin' } })(event({ 'url.path': '/x/admin' }))).toBe(false);
    expect(condition({ 'url.path': { endswith: ['.php', '.asp'] } })(event({ 'url.path': '/a.php' }))).toBe(true);
    expect(condition({ 'url.path': { endswith: '.php' } })(event({ 'url.path': '/a.php5' }))).toBe(false);
  });

  it('string operators read numbers as text and ignore other types', () => {
    expect(condition({ 'source.port': { startswith: '22' } })(event({ 'source.port': 2222 }))).toBe(true);
    expect(condition({ 'user.name': { contains: 'true' } })(event({ 'user.name': true }))).toBe(false);
  });

  it('equals and in take explicit operator form too', () => {
    expect(condition({ 'user.name': { equals: 'root' } })(event({ 'user.name': 'root' }))).toBe(true);
    expect(condition({ 'user.name': { in: ['root', 'admin'] } })(event({ 'user.name': 'admin' }))).toBe(true);
    expect(condition({ 'user.name': { in: ['root', 'admin'] } })(event({ 'user.name': 'bob' }))).toBe(false);
  });

  it('ignore_case applies to equals, in, string operators and regex', () => {
    const e = event({ 'user.name': 'Root', 'url.path': '/Admin/Login' });
    expect(condition({ 'user.name': { equals: 'root' } })(e)).toBe(false);
    expect(condition({ 'user.name': { equals: 'root', ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'user.name': { in: ['ROOT'], ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'url.path': { contains: 'admin', ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'url.path': { startswith: '/admin', ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'url.path': { endswith: 'LOGIN', ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'url.path': { regex: '^/admin/', ignore_case: true } })(e)).toBe(true);
    expect(condition({ 'url.path': { regex: '^/admin/' } })(e)).toBe(false);
  });

  it('regex is unanchored and takes a list', () => {
    const r = condition({ 'user.name': { regex: ['^adm', 'oracle$'] } });
    expect(r(event({ 'user.name': 'administrator' }))).toBe(true);
    expect(r(event({ 'user.name': 'db-oracle' }))).toBe(true);
    expect(r(event({ 'user.name': 'oracle-db' }))).toBe(false);
    expect(condition({ 'user.name': { regex: 'ot' } })(event({ 'user.name': 'root' }))).toBe(true);
  });

  it('exists looks at presence; an empty list or null is absent', () => {
    const has = condition({ 'aws.waf.labels': { exists: true } });
    const lacks = condition({ 'aws.waf.labels': { exists: false } });
    expect(has(event({ 'aws.waf.labels': ['a'] }))).toBe(true);
    expect(has(event({ 'aws.waf.labels': [] }))).toBe(false);
    expect(has(event({ 'aws.waf.labels': null }))).toBe(false);
    expect(lacks(event({}))).toBe(true);
    expect(lacks(event({ 'aws.waf.labels': ['a'] }))).toBe(false);
  });

  it('gt/gte/lt/lte compare numbers and numeric strings; other strings by text', () => {
    const e = (v: number | string) => event({ 'source.port': v });
    expect(condition({ 'source.port': { gt: 1024 } })(e(2222))).toBe(true);
    expect(condition({ 'source.port': { gt: 1024 } })(e('2222'))).toBe(true);
    expect(condition({ 'source.port': { gt: 1024 } })(e(1024))).toBe(false);
    expect(condition({ 'source.port': { gte: 1024 } })(e(1024))).toBe(true);
    expect(condition({ 'source.port': { lt: '1024' } })(e(22))).toBe(true);
    expect(condition({ 'source.port': { lte: 22 } })(e(22))).toBe(true);
    expect(condition({ 'source.port': { gt: 1, lt: 100 } })(e(50))).toBe(true);
    expect(condition({ 'source.port': { gt: 1, lt: 100 } })(e(500))).toBe(false);
    expect(condition({ 'source.port': { gt: 1 } })(e('ssh'))).toBe(false);
    const after = condition({ '@timestamp': { gte: '2024-05-01T00:00:00Z' } });
    expect(after(event({ '@timestamp': '2024-05-02T10:00:00Z' }))).toBe(true);
    expect(after(event({ '@timestamp': '2024-04-30T23:59:59Z' }))).toBe(false);
  });

  it('cidr matches IPv4, IPv6 and IPv4-mapped addresses', () => {
    const nets = condition({ 'source.ip': { cidr: ['203.0.113.0/24', '2001:db8::/32'] } });
    expect(nets(event({ 'source.ip': '203.0.113.9' }))).toBe(true);
    expect(nets(event({ 'source.ip': '203.0.114.9' }))).toBe(false);
    expect(nets(event({ 'source.ip': '2001:db8:1::5' }))).toBe(true);
    expect(nets(event({ 'source.ip': '2001:db9::5' }))).toBe(false);
    expect(nets(event({ 'source.ip': '::ffff:203.0.113.77' }))).toBe(true);
    expect(nets(event({ 'source.ip': 'not-an-ip' }))).toBe(false);
    expect(nets(event({ 'source.ip': 42 }))).toBe(false);
    const mapped = condition({ 'source.ip': { cidr: '::ffff:10.0.0.0/104' } });
    expect(mapped(event({ 'source.ip': '10.1.2.3' }))).toBe(true);
    expect(mapped(event({ 'source.ip': '11.1.2.3' }))).toBe(false);
  });

  it('not inside a field negates its operators, and matches an absent field', () => {
    const notInternal = condition({ 'source.ip': { not: { cidr: '10.0.0.0/8' } } });
    expect(notInternal(event({ 'source.ip': '10.1.1.1' }))).toBe(false);
    expect(notInternal(event({ 'source.ip': '192.0.2.1' }))).toBe(true);
    expect(notInternal(event({}))).toBe(true);
    const both = condition({ 'user.name': { startswith: 'adm', not: { equals: 'ADMIN' }, ignore_case: true } });
    expect(both(event({ 'user.name': 'admin' }))).toBe(false);
    expect(both(event({ 'user.name': 'Administrator' }))).toBe(true);
  });
});

describe('list-valued fields', () => {
  const labels = (...l: string[]) => event({ 'aws.waf.labels': l }, undefined, 'waf');

  it('hold when any element satisfies the test', () => {
    expect(condition({ 'aws.waf.labels': 'awswaf:managed:bot' })(labels('x', 'awswaf:managed:bot'))).toBe(true);
    expect(condition({ 'aws.waf.labels': ['a', 'b'] })(labels('c', 'b'))).toBe(true);
    expect(condition({ 'aws.waf.labels': { startswith: 'awswaf:managed:aws:bot' } })(labels('x', 'awswaf:managed:aws:bot-control:bot'))).toBe(true);
    expect(condition({ 'aws.waf.labels': { regex: 'sqli' } })(labels('a', 'b'))).toBe(false);
    expect(condition({ 'aws.waf.labels': 'x' })(labels())).toBe(false);
  });

  it('need one element to satisfy all operators of a map', () => {
    const test = condition({ 'aws.waf.labels': { startswith: 'a', endswith: 'z' } });
    expect(test(labels('abz'))).toBe(true);
    expect(test(labels('ab', 'xz'))).toBe(false);
  });

  it('not holds when no element matches', () => {
    const test = condition({ 'aws.waf.labels': { not: { contains: 'bot' } } });
    expect(test(labels('a', 'b'))).toBe(true);
    expect(test(labels('a', 'bot'))).toBe(false);
  });

  it('read raw record fields through lists', () => {
    const raw = { requestParameters: { ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '0.0.0.0/0' }] } }] } } };
    const world = condition({ 'requestParameters.ipPermissions.items.ipRanges.items.cidrIp': '0.0.0.0/0' });
    expect(world(event({}, raw, 'cloudtrail'))).toBe(true);
    const gid = condition({ 'requestParameters.groupId': { startswith: 'sg-' } });
    expect(gid(event({}, { requestParameters: { groupId: 'sg-123' } }, 'cloudtrail'))).toBe(true);
  });
});

describe('combining conditions', () => {
  const e = event({ 'event.action': 'ssh_login', 'event.outcome': 'failure', 'user.name': 'root', 'source.ip': '192.0.2.5' });

  it('all entries of a mapping must hold', () => {
    expect(condition({ 'event.action': 'ssh_login', 'event.outcome': 'failure' })(e)).toBe(true);
    expect(condition({ 'event.action': 'ssh_login', 'event.outcome': 'success' })(e)).toBe(false);
  });

  it('a list means all', () => {
    expect(condition([{ 'event.action': 'ssh_login' }, { 'user.name': 'root' }])(e)).toBe(true);
    expect(condition([{ 'event.action': 'ssh_login' }, { 'user.name': 'bob' }])(e)).toBe(false);
  });

  it('all / any / not combine and nest', () => {
    expect(condition({ any: [{ 'user.name': 'bob' }, { 'user.name': 'root' }] })(e)).toBe(true);
    expect(condition({ any: [{ 'user.name': 'bob' }, { 'user.name': 'eve' }] })(e)).toBe(false);
    expect(condition({ all: [{ 'user.name': 'root' }, { 'event.outcome': 'failure' }] })(e)).toBe(true);
    expect(condition({ not: { 'user.name': 'root' } })(e)).toBe(false);
    expect(condition({ not: [{ 'user.name': 'bob' }, { 'user.name': 'eve' }] })(e)).toBe(true);
    expect(condition({ not: [{ 'user.name': 'bob' }, { 'user.name': 'root' }] })(e)).toBe(false);
    const nested = condition({
      'event.action': 'ssh_login',
      any: [{ all: [{ 'user.name': 'root' }, { not: { 'source.ip': { cidr: '10.0.0.0/8' } } }] }, { 'user.name': 'admin' }],
      not: { 'event.outcome': 'success' },
    });
    expect(nested(e)).toBe(true);
    expect(nested({ ...e, fields: { ...e.fields, 'source.ip': '10.9.9.9' } })).toBe(false);
    expect(nested({ ...e, fields: { ...e.fields, 'source.ip': '10.9.9.9', 'user.name': 'admin' } })).toBe(true);
  });

  it('not on an absent field holds', () => {
    expect(condition({ not: { 'system.auth.ssh.event': 'Accepted' } })(event({}))).toBe(true);
  });
});

describe('condition problems', () => {
  it('reports unknown operators, fields and bad arguments', () => {
    expect(conditionProblems({ 'user.name': { equal: 'x' } })).toEqual(['UNKNOWN_OPERATOR']);
    expect(conditionProblems({ 'user.nam': 'x' })).toEqual(['UNKNOWN_FIELD']);
    expect(conditionProblems({ 'user.name': { regex: '[' } })).toEqual(['BAD_REGEX']);
    // what RE2 cannot run in linear time is refused; nested repetition itself is fine now
    expect(conditionProblems({ 'user.name': { regex: '^(a+)\\1$' } })).toEqual(['BAD_REGEX']);
    expect(conditionProblems({ 'user.name': { regex: '^(?=adm)' } })).toEqual(['BAD_REGEX']);
    expect(conditionProblems({ 'user.name': { regex: '(?<!x)y' } })).toEqual(['BAD_REGEX']);
    expect(conditionProblems({ 'user.name': { regex: '^(a+)+$' } })).toEqual([]);
    expect(conditionProblems({ 'url.path': { regex: '^/wp-(admin|login)/.*$' } })).toEqual([]);
    expect(conditionProblems({ 'user.name': { regex: '^(oracle|postgres)$' } })).toEqual([]);
    expect(conditionProblems({ 'source.ip': { cidr: ['10.0.0.0/8', '10.0.0.0/40', 'x'] } })).toEqual(['BAD_CIDR', 'BAD_CIDR']);
    expect(conditionProblems({ 'source.port': { gt: true } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': { exists: 'yes' } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': { ignore_case: true } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': [] })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': null })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': { in: ['a', null] } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': { equals: null } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ 'user.name': [{ a: 1 }] })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({})).toEqual(['BAD_VALUE']);
    expect(conditionProblems('user.name')).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ any: [] })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ all: { 'user.name': 'x' } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems(['user.name'])).toEqual(['BAD_VALUE']);
  });

  it('does not mistake Object.prototype names for operators', () => {
    expect(conditionProblems({ 'user.name': { constructor: 'x', toString: 'y' } })).toEqual(['UNKNOWN_OPERATOR', 'UNKNOWN_OPERATOR']);
  });

  it('refuses nesting beyond the limit', () => {
    let deep: unknown = { 'user.name': 'x' };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(conditionProblems(deep)).toEqual(['BAD_VALUE']);
    let ops: unknown = { equals: 'x' };
    for (let i = 0; i < 40; i++) ops = { not: ops };
    expect(conditionProblems({ 'user.name': ops })).toEqual(['BAD_VALUE']);
  });
});

describe('element: one element of a list of objects meets the whole condition', () => {
  const record = {
    ruleGroupList: [
      { ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet', terminatingRule: null, excludedRules: null },
      { ruleGroupId: 'AWS#AWSManagedRulesSQLiRuleSet', terminatingRule: { ruleId: 'SQLi_BODY', action: 'BLOCK' } },
    ],
  };
  const waf = event({ 'event.action': 'BLOCK' }, record, 'waf');

  it('holds only when the same element meets every test (paths into the list mix elements)', () => {
    const mixed = { 'ruleGroupList.ruleGroupId': 'AWS#AWSManagedRulesCommonRuleSet', 'ruleGroupList.terminatingRule.action': 'BLOCK' };
    expect(condition(mixed)(waf)).toBe(true); // the false alert the element test exists for
    const element = { ruleGroupList: { element: { ruleGroupId: 'AWS#AWSManagedRulesCommonRuleSet', 'terminatingRule.action': 'BLOCK' } } };
    expect(condition(element)(waf)).toBe(false);
    const right = { ruleGroupList: { element: { ruleGroupId: { endswith: 'SQLiRuleSet' }, 'terminatingRule.ruleId': 'SQLi_BODY' } } };
    expect(condition(right)(waf)).toBe(true);
  });

  it('takes any condition inside (any, not), is false on a missing or non-list field, and reports bad inner tests', () => {
    expect(condition({ ruleGroupList: { element: { any: [{ ruleGroupId: 'x' }, { 'terminatingRule.ruleId': 'SQLi_BODY' }] } } })(waf)).toBe(true);
    expect(condition({ ruleGroupList: { element: { not: { ruleGroupId: { startswith: 'AWS#' } } } } })(waf)).toBe(false);
    expect(condition({ ruleGroupList: { element: { ruleGroupId: 'x' } } })(event({}, {}, 'waf'))).toBe(false);
    expect(conditionProblems({ ruleGroupList: { element: { ruleGroupId: { regex: '(' } } } })).toEqual(['BAD_REGEX']);
    expect(conditionProblems({ ruleGroupLst: { element: { ruleGroupId: 'x' } } })).toEqual(['UNKNOWN_FIELD']);
  });
});

describe('during: time of day and weekday on the wall clock of a zone', () => {
  const at = (iso: string) => event({ '@timestamp': iso });
  const night = condition({ '@timestamp': { during: { hours: '22:00-06:00', timezone: 'Europe/Berlin' } } });
  const weekend = condition({ '@timestamp': { during: { days: ['sat', 'sun'], timezone: 'America/New_York' } } });
  const office = condition({ '@timestamp': { during: { hours: '09:00-17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] } } });

  it('reads hours in the zone, summer and winter, and a range that wraps midnight', () => {
    expect(night(at('2024-07-01T20:30:00Z'))).toBe(true); // 22:30 CEST
    expect(night(at('2024-07-01T19:30:00Z'))).toBe(false); // 21:30 CEST
    expect(night(at('2024-01-15T21:30:00Z'))).toBe(true); // 22:30 CET
    expect(night(at('2024-01-15T04:59:00Z'))).toBe(true); // 05:59 CET
    expect(night(at('2024-01-15T05:00:00Z'))).toBe(false); // 06:00 CET
  });

  it('reads the day in the zone: Friday 23:59 in New York is already Saturday in UTC', () => {
    expect(weekend(at('2024-11-02T04:00:00Z'))).toBe(true); // Sat 00:00 EDT
    expect(weekend(at('2024-11-02T03:59:00Z'))).toBe(false); // Fri 23:59 EDT
    expect(weekend(at('2024-11-04T04:59:00Z'))).toBe(true); // Sun 23:59 EST
  });

  it('follows a zone that changes its offset off the hour in UTC (Newfoundland springs forward at 05:30Z)', () => {
    const early = condition({ '@timestamp': { during: { hours: '03:00-04:00', timezone: 'America/St_Johns' } } });
    expect(early(at('2024-03-10T05:15:00Z'))).toBe(false); // 01:45 NST, before the change
    expect(early(at('2024-03-10T05:45:00Z'))).toBe(true); // 03:15 NDT, after it
  });

  it('UTC by default; epoch milliseconds too; not a time, no match', () => {
    expect(office(at('2024-11-04T09:00:00Z'))).toBe(true); // Monday
    expect(office(at('2024-11-04T17:00:00Z'))).toBe(false);
    expect(office(at('2024-11-03T10:00:00Z'))).toBe(false); // Sunday
    expect(office(event({ '@timestamp': Date.UTC(2024, 10, 5, 12) }))).toBe(true);
    expect(office(event({ '@timestamp': 'yesterday' }))).toBe(false);
    expect(office(event({}))).toBe(false);
  });

  it('refuses bad hours, days, zones and keys', () => {
    expect(conditionProblems({ '@timestamp': { during: { hours: '25:00-06:00' } } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ '@timestamp': { during: { hours: '08:00-08:00' } } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ '@timestamp': { during: { days: ['saturday'] } } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ '@timestamp': { during: { timezone: 'Mars/Olympus' } } })).toEqual(['BAD_VALUE']);
    expect(conditionProblems({ '@timestamp': { during: { hour: '22:00-06:00' } } })).toEqual(['UNKNOWN_KEY']);
    expect(conditionProblems({ '@timestamp': { during: 'nights' } })).toEqual(['BAD_VALUE']);
  });
});
