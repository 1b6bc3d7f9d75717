import { isIP } from 'node:net';
import fc from 'fast-check';
import type { FieldValue, KlaxonEvent, ParseResult } from '../../src/events/event';
import { getField } from '../../src/events/fields';
import { fieldCatalogue, isKnownField } from '../../src/sources/catalogue';
import { WAF_FIELDS } from '../../src/sources/waf-fields';
import { looksLikeWaf, normalizeWafRecord } from '../../src/sources/waf';
import { mutate, mutation } from '../helpers/mutate';
import { jsonFixture, onlyEvent } from '../helpers/fixtures';

const FIXTURE_NAMES = ['block-regular-rule', 'block-managed-rule-group', 'allow-with-count-matches', 'captcha', 'classic'];

function fixture(name: string): { text: string; json: Record<string, unknown> } {
  return jsonFixture('waf', name);
}

const only = onlyEvent;

function normalized(name: string): KlaxonEvent {
  const { text, json } = fixture(name);
  return only(normalizeWafRecord(json, text));
}

/** A fixture with some of its fields replaced. */
function variant(name: string, change: (record: Record<string, unknown>) => void): Record<string, unknown> {
  const record = structuredClone(fixture(name).json);
  change(record);
  return record;
}

function request(record: Record<string, unknown>): Record<string, unknown> {
  return record.httpRequest as Record<string, unknown>;
}

const ACL_ARN = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/prod-edge-acl/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

describe('normalizeWafRecord', () => {
  it('makes the event and its fields plain objects, as literals are (rules, templates and state encoding read them as mappings)', () => {
    const event = normalized('block-regular-rule');
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event.fields)).toBe(Object.prototype);
    expect(Object.keys(event)).toEqual(['timestamp', 'source', 'fields', 'raw']);
  });

  it('maps a BLOCK by a regular rule to exactly these ECS fields', () => {
    const { text, json } = fixture('block-regular-rule');
    const event = only(normalizeWafRecord(json, text));
    expect(event.source).toBe('waf');
    expect(event.timestamp).toBe(1717243200123);
    expect(event.raw).toBe(json);
    expect(event.fields).toEqual({
      '@timestamp': '2024-06-01T12:00:00.123Z',
      'event.source': 'waf',
      'event.original': text,
      'event.kind': 'event',
      'event.category': ['web'],
      'event.type': ['denied'],
      'event.action': 'BLOCK',
      'cloud.provider': 'aws',
      'cloud.account.id': '123456789012',
      'cloud.region': 'eu-west-1',
      'source.address': '203.0.113.45',
      'source.ip': '203.0.113.45',
      'source.geo.country_iso_code': 'NL',
      'url.path': '/wp-admin/install.php',
      'url.query': 'step=1&lang=en',
      'url.original': '/wp-admin/install.php?step=1&lang=en',
      'http.request.method': 'POST',
      'http.version': '1.1',
      'http.request.id': '1-6660a8c0-0123456789abcdef01234567',
      'http.request.headers': {
        host: 'app.example.com',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) sqlmap/1.8',
        accept: '*/*',
        'x-forwarded-for': '198.51.100.7, 203.0.113.45',
      },
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) sqlmap/1.8',
      'rule.id': 'block-admin-paths',
      'rule.ruleset': 'REGULAR',
      'aws.waf.web_acl.id': ACL_ARN,
      'aws.waf.web_acl.name': 'prod-edge-acl',
      'aws.waf.web_acl.scope': 'regional',
      'aws.waf.source.id': '123456789012-app/prod-alb/0123456789abcdef',
      'aws.waf.source.name': 'ALB',
      'aws.waf.labels': ['custom:admin-path'],
      'aws.waf.response_code': 403,
    });
  });

  it('names the rule inside a managed rule group that blocked, with the group', () => {
    const f = normalized('block-managed-rule-group').fields;
    expect(f['event.action']).toBe('BLOCK');
    expect(f['rule.id']).toBe('AWS-AWSManagedRulesSQLiRuleSet');
    expect(f['rule.ruleset']).toBe('MANAGED_RULE_GROUP');
    expect(f['aws.waf.terminating_rule_group.id']).toBe('AWS#AWSManagedRulesSQLiRuleSet');
    expect(f['aws.waf.terminating_rule_group.rule_id']).toBe('SQLi_QUERYARGUMENTS');
    expect(f['aws.waf.rule_group.excluded_rules']).toEqual(['SizeRestrictions_BODY']);
    expect(f['aws.waf.rule_group.non_terminating_matching_rules']).toBeUndefined();
    expect(f['aws.waf.terminating_rule_match_details']).toEqual([
      { conditionType: 'SQL_INJECTION', sensitivityLevel: 'LOW', location: 'QUERY_STRING', matchedData: ['1', 'OR', '1=1'] },
    ]);
    expect(f['aws.waf.labels']).toEqual(['awswaf:managed:aws:sql-database:SQLi_QueryArguments']);
    expect(f['source.ip']).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(f['source.geo.country_iso_code']).toBe('DE');
    expect(f['http.version']).toBe('2.0');
    expect(f['user_agent.original']).toBe('curl/8.5.0');
    expect(f['aws.waf.source.name']).toBe('APIGW');
    expect(f['aws.waf.response_code']).toBeUndefined();
  });

  it('lists COUNT matches and labels of an allowed request; a CloudFront ACL keeps the ARN region', () => {
    const f = normalized('allow-with-count-matches').fields;
    expect(f['event.action']).toBe('ALLOW');
    expect(f['event.type']).toEqual(['allowed']);
    expect(f['rule.id']).toBe('Default_Action');
    expect(f['rule.ruleset']).toBe('REGULAR');
    expect(f['aws.waf.non_terminating_matching_rules']).toEqual(['count-scanner-ua', 'count-geo-watchlist']);
    expect(f['aws.waf.rule_group.non_terminating_matching_rules']).toEqual(['CategoryHttpLibrary']);
    expect(f['aws.waf.terminating_rule_group.rule_id']).toBeUndefined();
    expect(f['aws.waf.labels']).toEqual(['awswaf:managed:aws:bot-control:bot:category:http_library', 'awswaf:123456789012:webacl:cdn-acl:scanner-ua']);
    expect(f['aws.waf.web_acl.name']).toBe('cdn-acl');
    expect(f['aws.waf.web_acl.scope']).toBe('global');
    expect(f['cloud.region']).toBe('us-east-1');
    expect(f['cloud.account.id']).toBe('123456789012');
    expect(f['url.path']).toBe('/');
    expect(f['url.query']).toBeUndefined();
    expect(f['url.original']).toBe('/');
  });

  it('reads a CAPTCHA with a masked client address', () => {
    const f = normalized('captcha').fields;
    expect(f['event.action']).toBe('CAPTCHA');
    expect(f['event.type']).toEqual(['info']);
    expect(f['source.ip']).toBeUndefined();
    expect(f['source.address']).toBe('-');
    expect(f['source.geo.country_iso_code']).toBeUndefined();
    expect(f['aws.waf.captcha_response.response_code']).toBe(405);
    expect(f['aws.waf.captcha_response.failure_reason']).toBe('TOKEN_MISSING');
  });

  it('reads a CHALLENGE outcome', () => {
    const record = variant('captcha', (r) => {
      r.action = 'CHALLENGE';
      delete r.captchaResponse;
      r.challengeResponse = { responseCode: 202, failureReason: 'TOKEN_EXPIRED' };
    });
    const f = only(normalizeWafRecord(record, '{}')).fields;
    expect(f['event.action']).toBe('CHALLENGE');
    expect(f['event.type']).toEqual(['info']);
    expect(f['aws.waf.challenge_response.response_code']).toBe(202);
    expect(f['aws.waf.challenge_response.failure_reason']).toBe('TOKEN_EXPIRED');
  });

  it.each([
    ['masked', '-'],
    ['partly masked', '192.0.2.x'],
    ['out of range', '203.0.113.256'],
    ['garbage', 'not-an-ip'],
    ['with a port', '203.0.113.9:443'],
  ])('keeps a %s clientIp out of source.ip and in source.address', (_label, clientIp) => {
    const record = variant('block-regular-rule', (r) => {
      request(r).clientIp = clientIp;
    });
    const f = only(normalizeWafRecord(record, '{}')).fields;
    expect(f['source.ip']).toBeUndefined();
    expect(f['source.address']).toBe(clientIp);
  });

  it('sets source.ip exactly when node accepts the clientIp as an address', () => {
    const base = fixture('block-regular-rule').json;
    const candidates = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.array(fc.oneof(fc.nat(300).map(String), fc.constantFrom('', '00', '01', '1a', ' 1', '-1')), { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.')),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(candidates, (clientIp) => {
        const f = only(normalizeWafRecord({ ...base, httpRequest: { ...request(base), clientIp } }, '')).fields;
        expect(f['source.ip'] !== undefined).toBe(isIP(clientIp) !== 0);
        if (f['source.ip'] === undefined && clientIp !== '') expect(f['source.address']).toBe(clientIp);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts a valid IPv6 clientIp', () => {
    const record = variant('block-regular-rule', (r) => {
      request(r).clientIp = '2001:db8::7';
    });
    expect(only(normalizeWafRecord(record, '{}')).fields['source.ip']).toBe('2001:db8::7');
  });

  it('builds the header map safely from attacker-chosen names', () => {
    const record = variant('block-regular-rule', (r) => {
      request(r).headers = [
        { name: '__proto__', value: 'x' },
        { name: 'Constructor', value: 'y' },
        { name: 'toString', value: 'z' },
        { name: 'Cookie', value: 'a=1' },
        { name: 'cookie', value: 'b=2' },
        { name: 'broken' },
        'not a header',
      ];
    });
    const event = only(normalizeWafRecord(record, '{}'));
    const headers = event.fields['http.request.headers'] as Record<string, FieldValue>;
    expect(Object.keys(headers).sort()).toEqual(['__proto__', 'constructor', 'cookie', 'tostring']);
    expect(headers['__proto__']).toBe('x');
    expect(headers['constructor']).toBe('y');
    expect(headers['cookie']).toBe('a=1, b=2');
    expect(event.fields['user_agent.original']).toBeUndefined();
    expect(getField(event, 'http.request.headers.cookie')).toBe('a=1, b=2');
  });

  it('lets rules read fields through the header map, the match details and the raw record', () => {
    const event = normalized('block-managed-rule-group');
    expect(getField(event, 'http.request.headers.host')).toBe('api.example.com');
    expect(getField(event, 'aws.waf.terminating_rule_match_details.conditionType')).toEqual(['SQL_INJECTION']);
    expect(getField(event, 'httpRequest.clientIp')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(getField(event, 'ruleGroupList.terminatingRule.ruleId')).toEqual(['SQLi_QUERYARGUMENTS']);
  });

  it('rejects WAF Classic records, saying so', () => {
    const { text, json } = fixture('classic');
    const result = normalizeWafRecord(json, text);
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toMatch(/WAF Classic/);
    expect(result.status === 'error' && result.message).toMatch(/not supported/);
  });

  it.each([
    ['a waf-regional (Classic) ARN', 'arn:aws:waf-regional:eu-west-1:123456789012:webacl/385cb038-3a6f-4f1f-84a4-b1a5ae0c7f8b'],
    ['a global Classic ARN', 'arn:aws:waf::123456789012:webacl/385cb038-3a6f-4f1f-84a4-b1a5ae0c7f8b'],
  ])('treats %s as WAF Classic', (_label, webaclId) => {
    const record = variant('block-regular-rule', (r) => {
      r.webaclId = webaclId;
    });
    const result = normalizeWafRecord(record, '{}');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toMatch(/WAF Classic/);
  });

  it.each(['timestamp', 'action', 'httpRequest'])('names the missing field %s', (field) => {
    const record = variant('block-regular-rule', (r) => {
      delete r[field];
    });
    const result = normalizeWafRecord(record, '{}');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toBe(`WAF record is missing "${field}"`);
  });

  it('names every missing field at once', () => {
    const result = normalizeWafRecord({ webaclId: ACL_ARN }, '{}');
    expect(result).toEqual({ status: 'error', message: 'WAF record is missing "timestamp", "action", "httpRequest"' });
  });

  it.each([
    ['timestamp', 'yesterday', /timestamp/],
    ['timestamp', 1e300, /timestamp/],
    ['action', 7, /action/],
    ['httpRequest', 'GET /', /httpRequest/],
  ])('rejects a %s of the wrong type (%p)', (field, value, message) => {
    const record = variant('block-regular-rule', (r) => {
      r[field] = value;
    });
    const result = normalizeWafRecord(record, '{}');
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toMatch(message);
  });

  it('rejects values that are not records', () => {
    for (const value of [null, 42, 'text', [], [{}]]) {
      expect(normalizeWafRecord(value, '')).toEqual({ status: 'error', message: 'WAF record is not a JSON object' });
    }
  });

  it('emits only catalogued fields, and every ECS field of the catalogue is emitted by some record', () => {
    const catalogue = fieldCatalogue(['waf']);
    const challenge = variant('captcha', (r) => {
      r.challengeResponse = { responseCode: 202, failureReason: 'TOKEN_EXPIRED' };
    });
    const events = [...FIXTURE_NAMES.filter((n) => n !== 'classic').map(normalized), only(normalizeWafRecord(challenge, '{}'))];
    const emitted = new Set(events.flatMap((e) => Object.keys(e.fields)));
    for (const key of emitted) expect([key, isKnownField(catalogue, key)]).toEqual([key, true]);
    for (const key of WAF_FIELDS.fields.filter((k) => k.includes('.'))) expect([key, emitted.has(key)]).toEqual([key, true]);
  });
});

describe('looksLikeWaf', () => {
  it.each(FIXTURE_NAMES)('recognises %s', (name) => {
    expect(looksLikeWaf(fixture(name).json)).toBe(true);
  });

  it('does not claim CloudTrail records or other values', () => {
    expect(looksLikeWaf({ eventVersion: '1.09', eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com' })).toBe(false);
    expect(looksLikeWaf({ Records: [] })).toBe(false);
    for (const value of [null, undefined, 1, 'x', [], {}, { webaclId: 1, httpRequest: {} }]) expect(looksLikeWaf(value)).toBe(false);
  });
});


function expectOkOrError(result: ParseResult): void {
  expect(['ok', 'error']).toContain(result.status);
  if (result.status === 'ok') {
    for (const event of result.events) {
      expect(Number.isFinite(event.timestamp)).toBe(true);
      expect(event.fields['event.source']).toBe('waf');
    }
  }
}

describe('@timestamp', () => {
  it('is the ISO form of the epoch milliseconds, for any time a Date can hold', () => {
    const base = fixture('block-regular-rule').json;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), { minLength: 1, maxLength: 5 }), (times) => {
        for (const timestamp of times) {
          const event = only(normalizeWafRecord({ ...base, timestamp }, ''));
          expect(event.timestamp).toBe(timestamp);
          expect(event.fields['@timestamp']).toBe(new Date(timestamp).toISOString());
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is right at second boundaries and before 1970', () => {
    const base = fixture('block-regular-rule').json;
    for (const timestamp of [0, 1, 999, 1000, -1, -999, -1000, -1001, 1717243200000, 1717243200999, 253402300799999, 253402300800000]) {
      expect(only(normalizeWafRecord({ ...base, timestamp }, '')).fields['@timestamp']).toBe(new Date(timestamp).toISOString());
    }
  });
});

describe('normalizeWafRecord never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expectOkOrError(normalizeWafRecord(value, JSON.stringify(value) ?? ''));
        looksLikeWaf(value);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary values of any kind', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true }), (value) => {
        expectOkOrError(normalizeWafRecord(value, ''));
        looksLikeWaf(value);
      }),
      { numRuns: 500 },
    );
  });

  it('on mutated valid records', () => {
    const records = FIXTURE_NAMES.map((name) => fixture(name).json);
    fc.assert(
      fc.property(fc.constantFrom(...records), fc.array(mutation, { minLength: 1, maxLength: 6 }), (record, mutations) => {
        expectOkOrError(normalizeWafRecord(mutate(record, mutations), ''));
      }),
      { numRuns: 1000 },
    );
  });
});
