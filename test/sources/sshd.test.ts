import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FieldValue, KlaxonEvent, ParseResult } from '../../src/events/event';
import { COMMON_FIELDS } from '../../src/sources/common-fields';
import { SSH_FIELDS } from '../../src/sources/ssh-fields';
import { MAX_REPEAT, REPEAT_TRUNCATED_TAG, parseAuthLine, type AuthLineContext } from '../../src/sources/sshd';
import { toIsoString } from '../../src/sources/syslog-time';

type Fields = Record<string, FieldValue>;

/** 2024-11-05T12:00:00Z: a "now" a few days after the fixture lines. */
const NOW = Date.UTC(2024, 10, 5, 12, 0, 0);
const CTX: AuthLineContext = { now: NOW };
const FIXTURES = join(__dirname, '..', 'fixtures', 'ssh');

function events(line: string, ctx: AuthLineContext = CTX): KlaxonEvent[] {
  const result = parseAuthLine(line, ctx);
  if (result.status !== 'ok') throw new Error(`expected ok for ${JSON.stringify(line)}, got ${JSON.stringify(result)}`);
  return result.events;
}

function fieldsOf(line: string, ctx: AuthLineContext = CTX): Fields {
  const all = events(line, ctx);
  expect(all).toHaveLength(1);
  return (all[0] as KlaxonEvent).fields;
}

const HEADER = 'Nov  2 10:00:00 web-1 sshd[4242]: ';

/** The fields every event of an `HEADER + message` line carries. */
function base(message: string, line = HEADER + message): Fields {
  return {
    '@timestamp': '2024-11-02T10:00:00.000Z',
    'event.source': 'ssh',
    'event.original': line,
    'event.kind': 'event',
    message,
    'host.hostname': 'web-1',
    'process.name': 'sshd',
    'process.pid': 4242,
  };
}

function login(sshEvent: string, outcome: 'success' | 'failure', user: string | undefined, ip: string | undefined, port?: number): Fields {
  const f: Fields = {
    'event.action': 'ssh_login',
    'event.outcome': outcome,
    'event.category': outcome === 'success' ? ['authentication', 'session'] : ['authentication'],
    'event.type': ['info'],
    'system.auth.ssh.event': sshEvent,
  };
  if (user !== undefined) {
    f['user.name'] = user;
    if (user !== '') f['related.user'] = [user];
  }
  if (ip !== undefined) {
    f['source.address'] = ip;
    f['source.ip'] = ip;
    f['related.ip'] = [ip];
  }
  if (port !== undefined) f['source.port'] = port;
  return f;
}

function connection(sshEvent: string, types: string[], ip: string, port: number | undefined, outcome?: 'failure', user?: string): Fields {
  const f: Fields = {
    'event.action': 'ssh_connection',
    'event.category': ['network'],
    'event.type': types,
    'system.auth.ssh.event': sshEvent,
    'source.address': ip,
    'source.ip': ip,
    'related.ip': [ip],
  };
  if (port !== undefined) f['source.port'] = port;
  if (outcome !== undefined) f['event.outcome'] = outcome;
  if (user !== undefined) {
    f['user.name'] = user;
    f['related.user'] = [user];
  }
  return f;
}

function expectSsh(message: string, expected: Fields): void {
  expect(fieldsOf(HEADER + message)).toEqual({ ...base(message), ...expected });
}

/** A line whose header reads but whose message of a known kind does not: a generic event that says why. */
function expectReadInPart(line: string, problem: string): void {
  const result = parseAuthLine(line, CTX);
  expect(result).toMatchObject({ status: 'ok', generic: true, problem });
  const [event] = (result as { events: KlaxonEvent[] }).events;
  expect(event?.fields['error.message']).toBe(problem);
  expect(event?.fields['event.original']).toBe(line);
  expect('event.action' in (event?.fields ?? {})).toBe(false);
}

/** A line whose header reads and whose message Klaxon does not know: a generic event with the header fields. */
function expectGeneric(line: string): Fields {
  const result = parseAuthLine(line, CTX);
  expect(result).toMatchObject({ status: 'ok', generic: true });
  expect('problem' in result).toBe(false);
  const events = (result as { events: KlaxonEvent[] }).events;
  expect(events).toHaveLength(1);
  return (events[0] as KlaxonEvent).fields;
}

function expectStatus(line: string, status: ParseResult['status'], ctx: AuthLineContext = CTX): ParseResult {
  const result = parseAuthLine(line, ctx);
  expect(result.status).toBe(status);
  return result;
}

describe('parseAuthLine: headers and timestamps', () => {
  it('reads an RFC3164 line (UTC, year from now) into the ECS header fields', () => {
    const line = 'Nov  2 10:00:00 web-1 sshd[4242]: Accepted password for alice from 192.0.2.10 port 52114 ssh2';
    const [e] = events(line);
    expect(e).toEqual({
      timestamp: Date.UTC(2024, 10, 2, 10, 0, 0),
      source: 'ssh',
      fields: {
        ...base('Accepted password for alice from 192.0.2.10 port 52114 ssh2', line),
        ...login('Accepted', 'success', 'alice', '192.0.2.10', 52114),
        'system.auth.ssh.method': 'password',
      },
    });
  });

  it('reads a zero-padded day, a bare day and fractional seconds (journalctl short-precise)', () => {
    expect(events('Nov 02 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1')[0]?.timestamp).toBe(Date.UTC(2024, 10, 2, 10));
    expect(events('Nov 2 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1')[0]?.timestamp).toBe(Date.UTC(2024, 10, 2, 10));
    const precise = fieldsOf('Nov 02 10:00:00.123456 h sshd[1]: Invalid user a from 192.0.2.1');
    expect(precise['@timestamp']).toBe('2024-11-02T10:00:00.123Z');
  });

  it('reads ISO-8601 timestamps with fractions and offsets', () => {
    const f = fieldsOf('2024-11-02T10:00:00.123456+01:00 web-1 sshd[123]: Invalid user a from 192.0.2.1 port 22');
    expect(f['@timestamp']).toBe('2024-11-02T09:00:00.123Z');
    expect(f['host.hostname']).toBe('web-1');
    expect(f['process.pid']).toBe(123);
    expect(fieldsOf('2024-11-02T10:00:00Z web-1 sshd[1]: Invalid user a from 192.0.2.1')['@timestamp']).toBe('2024-11-02T10:00:00.000Z');
    expect(fieldsOf('2024-11-02T10:00:00.5-05:30 web-1 sshd[1]: Invalid user a from 192.0.2.1')['@timestamp']).toBe('2024-11-02T15:30:00.500Z');
    // journalctl -o short-iso writes the offset without a colon
    expect(fieldsOf('2024-11-02T10:00:00+0100 web-1 sshd[1]: Invalid user a from 192.0.2.1')['@timestamp']).toBe('2024-11-02T09:00:00.000Z');
    // no offset: UTC
    expect(fieldsOf('2024-11-02T10:00:00 web-1 sshd[1]: Invalid user a from 192.0.2.1')['@timestamp']).toBe('2024-11-02T10:00:00.000Z');
  });

  it('reads RFC5424 with structured data and a BOM, and sets the priority fields', () => {
    const message = 'Accepted password for dave from 192.0.2.33 port 60001 ssh2';
    const line = `<34>1 2024-11-02T10:00:00.003Z web-1 sshd 123 - [exampleSDID@32473 iut="3" eventSource="App\\]lication"] \uFEFF${message}`;
    expect(fieldsOf(line)).toEqual({
      ...base(message, line),
      '@timestamp': '2024-11-02T10:00:00.003Z',
      'process.pid': 123,
      'log.syslog.priority': 34,
      'log.syslog.facility.code': 4,
      'log.syslog.severity.code': 2,
      ...login('Accepted', 'success', 'dave', '192.0.2.33', 60001),
      'system.auth.ssh.method': 'password',
    });
  });

  it('reads RFC5424 with nil structured data, nil PROCID and a nil timestamp (envelope time)', () => {
    const f = fieldsOf('<38>1 2024-11-02T10:00:00Z web-1 sshd - - - Invalid user a from 192.0.2.1');
    expect(f['process.pid']).toBeUndefined();
    expect(f['message']).toBe('Invalid user a from 192.0.2.1');
    const envelopeTime = Date.UTC(2024, 10, 3, 8, 0, 0);
    const nil = events('<38>1 - web-1 sshd 7 ID47 - Invalid user a from 192.0.2.1', { now: NOW, envelopeTime });
    expect(nil[0]?.timestamp).toBe(envelopeTime);
    expect(nil[0]?.fields['process.pid']).toBe(7);
  });

  it('reads a BSD priority before an RFC3164 line, also in the <facility.severity> form', () => {
    const f = fieldsOf('<38>Nov  2 10:00:00 web-1 sshd[1]: Invalid user a from 192.0.2.1');
    expect([f['log.syslog.priority'], f['log.syslog.facility.code'], f['log.syslog.severity.code']]).toEqual([38, 4, 6]);
    const g = fieldsOf('<4.3>Nov  2 10:00:00 web-1 sshd[1]: Invalid user a from 192.0.2.1');
    expect([g['log.syslog.priority'], g['log.syslog.facility.code'], g['log.syslog.severity.code']]).toEqual([35, 4, 3]);
  });

  it('gives journal-style lines without a timestamp the envelope time, else now', () => {
    const line = 'web-1 sshd[123]: Invalid user a from 192.0.2.1 port 22';
    const envelopeTime = Date.UTC(2024, 10, 2, 7, 6, 5, 4);
    expect(events(line, { now: NOW, envelopeTime })[0]?.timestamp).toBe(envelopeTime);
    const [e] = events(line);
    expect(e?.timestamp).toBe(NOW);
    expect(e?.fields['@timestamp']).toBe('2024-11-05T12:00:00.000Z');
    expect(e?.fields['host.hostname']).toBe('web-1');
  });

  it('accepts a missing pid, a missing host, sshd-session, sshd(pam_unix) and CRLF endings', () => {
    const noPid = fieldsOf('Nov  2 10:00:00 web-1 sshd: Invalid user a from 192.0.2.1');
    expect(noPid['process.name']).toBe('sshd');
    expect('process.pid' in noPid).toBe(false);
    const noHost = fieldsOf('Nov  2 10:00:00 sshd[9]: Invalid user a from 192.0.2.1');
    expect('host.hostname' in noHost).toBe(false);
    expect(noHost['process.pid']).toBe(9);
    expect(fieldsOf('Nov  2 10:00:00 web-1 sshd-session[5]: Invalid user a from 192.0.2.1')['process.name']).toBe('sshd-session');
    const crlf = 'Nov  2 10:00:00 web-1 sshd[5]: Invalid user a from 192.0.2.1 port 22\r\n';
    const f = fieldsOf(crlf);
    expect(f['event.original']).toBe(crlf);
    expect(f['message']).toBe('Invalid user a from 192.0.2.1 port 22');
    expect(f['source.port']).toBe(22);
  });
});

describe('parseAuthLine: the year of RFC3164 lines', () => {
  const at = (line: string, ctx: AuthLineContext): string => fieldsOf(line, ctx)['@timestamp'] as string;
  const dec31 = 'Dec 31 23:59:00 h sshd[1]: Invalid user a from 192.0.2.1';
  const jan1 = 'Jan  1 00:01:00 h sshd[1]: Invalid user a from 192.0.2.1';

  it('takes the year that puts the date nearest to the envelope time', () => {
    expect(at(dec31, { now: NOW, envelopeTime: Date.UTC(2025, 0, 1, 0, 5) })).toBe('2024-12-31T23:59:00.000Z');
    expect(at(jan1, { now: NOW, envelopeTime: Date.UTC(2024, 11, 31, 23, 58) })).toBe('2025-01-01T00:01:00.000Z');
    expect(at(dec31, { now: NOW, envelopeTime: Date.UTC(2023, 8, 1) })).toBe('2023-12-31T23:59:00.000Z');
    // 152 days before beats 213 days after
    expect(at(dec31, { now: NOW, envelopeTime: Date.UTC(2023, 5, 1) })).toBe('2022-12-31T23:59:00.000Z');
  });

  it('prefers a forced year (--year) over the envelope, and over now', () => {
    expect(at(dec31, { now: NOW, year: 2019, envelopeTime: Date.UTC(2021, 11, 30) })).toBe('2019-12-31T23:59:00.000Z');
    // no nearest-year adjustment either: the forced year is taken as it is, even a day away from the envelope
    expect(at(jan1, { now: NOW, year: 2024, envelopeTime: Date.UTC(2024, 11, 31, 23, 58) })).toBe('2024-01-01T00:01:00.000Z');
    expect(at(dec31, { now: NOW, year: 2019 })).toBe('2019-12-31T23:59:00.000Z');
    // the envelope still gives the time of lines that carry none
    const envelopeTime = Date.UTC(2021, 11, 30, 1, 2, 3);
    expect(events('web-1 sshd[1]: Invalid user a from 192.0.2.1', { now: NOW, year: 2019, envelopeTime })[0]?.timestamp).toBe(envelopeTime);
  });

  it('rolls back to the previous year for a date more than a day after now (a December line read in January)', () => {
    const january = Date.UTC(2025, 0, 2, 9, 0);
    expect(at(dec31, { now: january })).toBe('2024-12-31T23:59:00.000Z');
    expect(at('Jan  3 08:00:00 h sshd[1]: Invalid user a from 192.0.2.1', { now: january })).toBe('2025-01-03T08:00:00.000Z');
    expect(at('Jan  3 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1', { now: january })).toBe('2024-01-03T10:00:00.000Z');
  });

  it('handles Feb 29: previous leap year from now, error under a forced non-leap year', () => {
    const feb29 = 'Feb 29 12:00:00 h sshd[1]: Invalid user a from 192.0.2.1';
    expect(at(feb29, { now: Date.UTC(2025, 5, 1) })).toBe('2024-02-29T12:00:00.000Z');
    expect(at(feb29, { now: NOW, envelopeTime: Date.UTC(2025, 1, 28) })).toBe('2024-02-29T12:00:00.000Z');
    expect(expectStatus(feb29, 'error', { now: NOW, year: 2023 })).toEqual({ status: 'error', message: "invalid date 'Feb 29 12:00:00'" });
    // a forced non-leap year is an error even when the envelope would have found a leap year
    expect(expectStatus(feb29, 'error', { now: NOW, year: 2023, envelopeTime: Date.UTC(2024, 1, 28) }).status).toBe('error');
    expect(at(feb29, { now: NOW, year: 2020, envelopeTime: Date.UTC(2025, 1, 28) })).toBe('2020-02-29T12:00:00.000Z');
  });
});

describe('parseAuthLine: sshd messages', () => {
  it.each([
    ['password', 'Accepted password for alice from 192.0.2.10 port 52114 ssh2', undefined],
    ['publickey', 'Accepted publickey for alice from 192.0.2.10 port 52114 ssh2: RSA SHA256:Zk3cM0k2nV1d4Vw5pJbZbqRkq1l0hWc3XH8Z0fA0pB8', 'RSA SHA256:Zk3cM0k2nV1d4Vw5pJbZbqRkq1l0hWc3XH8Z0fA0pB8'],
    ['keyboard-interactive/pam', 'Accepted keyboard-interactive/pam for alice from 192.0.2.10 port 52114 ssh2', undefined],
    ['hostbased', 'Accepted hostbased for alice from 192.0.2.10 port 52114 ssh2: ED25519 SHA256:abc', 'ED25519 SHA256:abc'],
    ['gssapi-with-mic', 'Accepted gssapi-with-mic for alice from 192.0.2.10 port 52114 ssh2', undefined],
  ])('Accepted %s', (method, message, signature) => {
    const expected: Fields = { ...login('Accepted', 'success', 'alice', '192.0.2.10', 52114), 'system.auth.ssh.method': method };
    if (signature !== undefined) expected['system.auth.ssh.signature'] = signature;
    expectSsh(message, expected);
  });

  it.each([
    ['password', 'Failed password for root from 203.0.113.5 port 22 ssh2', 'root', undefined],
    ['password', 'Failed password for invalid user admin from 203.0.113.5 port 22 ssh2', 'admin', undefined],
    ['publickey', 'Failed publickey for root from 203.0.113.5 port 22 ssh2: ECDSA SHA256:q1w2e3', 'root', 'ECDSA SHA256:q1w2e3'],
    ['keyboard-interactive/pam', 'Failed keyboard-interactive/pam for invalid user pi from 203.0.113.5 port 22 ssh2', 'pi', undefined],
    ['none', 'Failed none for invalid user test from 203.0.113.5 port 22 ssh2', 'test', undefined],
  ])('Failed %s: %s', (method, message, user, signature) => {
    const expected: Fields = { ...login('Failed', 'failure', user, '203.0.113.5', 22), 'system.auth.ssh.method': method };
    if (signature !== undefined) expected['system.auth.ssh.signature'] = signature;
    expectSsh(message, expected);
  });

  it('Invalid user, with and without a port', () => {
    expectSsh('Invalid user oracle from 203.0.113.9 port 41414', login('Invalid', 'failure', 'oracle', '203.0.113.9', 41414));
    expectSsh('Invalid user oracle from 203.0.113.9', login('Invalid', 'failure', 'oracle', '203.0.113.9'));
  });

  it('pam_unix(sshd:auth) authentication failure, with and without user=, and from sshd(pam_unix)', () => {
    expectSsh(
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
      login('AuthFailure', 'failure', 'root', '203.0.113.7'),
    );
    expectSsh(
      'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7',
      login('AuthFailure', 'failure', undefined, '203.0.113.7'),
    );
    const f = fieldsOf('Nov  2 10:00:00 web-1 sshd(pam_unix)[77]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=203.0.113.7  user=guest');
    expect(f).toMatchObject({ ...login('AuthFailure', 'failure', 'guest', '203.0.113.7'), 'process.name': 'sshd(pam_unix)', 'process.pid': 77 });
  });

  it('error: PAM: Authentication failure, with and without "illegal user"', () => {
    expectSsh('error: PAM: Authentication failure for root from 203.0.113.7', login('AuthFailure', 'failure', 'root', '203.0.113.7'));
    expectSsh('error: PAM: Authentication failure for illegal user admin from 203.0.113.7', login('AuthFailure', 'failure', 'admin', '203.0.113.7'));
  });

  it('error: maximum authentication attempts exceeded', () => {
    expectSsh(
      'error: maximum authentication attempts exceeded for root from 203.0.113.7 port 2200 ssh2 [preauth]',
      login('MaxAuthTries', 'failure', 'root', '203.0.113.7', 2200),
    );
    expectSsh(
      'error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.7 port 2200 ssh2 [preauth]',
      login('MaxAuthTries', 'failure', 'admin', '203.0.113.7', 2200),
    );
  });

  it('Disconnecting: Too many authentication failures, in its three forms', () => {
    expectSsh(
      'Disconnecting invalid user admin 203.0.113.7 port 2200: Too many authentication failures [preauth]',
      login('TooManyAuthFailures', 'failure', 'admin', '203.0.113.7', 2200),
    );
    expectSsh(
      'Disconnecting authenticating user root 203.0.113.7 port 2200: Too many authentication failures [preauth]',
      login('TooManyAuthFailures', 'failure', 'root', '203.0.113.7', 2200),
    );
    expectSsh('Disconnecting: Too many authentication failures [preauth]', login('TooManyAuthFailures', 'failure', undefined, undefined));
    expectSsh('Disconnecting: Too many authentication failures for root [preauth]', login('TooManyAuthFailures', 'failure', 'root', undefined));
  });

  it.each([
    'not listed in AllowUsers',
    'listed in DenyUsers',
    "none of user's groups are listed in AllowGroups",
    'shell /bin/false does not exist',
  ])('User ... not allowed because %s', (reason) => {
    expectSsh(`User deploy from 203.0.113.44 not allowed because ${reason}`, login('NotAllowed', 'failure', 'deploy', '203.0.113.44'));
  });

  it('Connection closed / reset: failure only when a login was under way', () => {
    expectSsh('Connection closed by 192.0.2.201 port 33010 [preauth]', connection('ConnectionClosed', ['connection', 'end'], '192.0.2.201', 33010));
    expectSsh(
      'Connection closed by authenticating user root 192.0.2.201 port 33010 [preauth]',
      connection('ConnectionClosed', ['connection', 'end'], '192.0.2.201', 33010, 'failure', 'root'),
    );
    expectSsh(
      'Connection closed by invalid user admin 192.0.2.201 port 33010 [preauth]',
      connection('ConnectionClosed', ['connection', 'end'], '192.0.2.201', 33010, 'failure', 'admin'),
    );
    expectSsh('Connection reset by 192.0.2.201 port 33010', connection('ConnectionReset', ['connection', 'end'], '192.0.2.201', 33010));
    expectSsh(
      'Connection reset by invalid user a b 192.0.2.201 port 33010 [preauth]',
      connection('ConnectionReset', ['connection', 'end'], '192.0.2.201', 33010, 'failure', 'a b'),
    );
    expectSsh('Connection closed by 192.0.2.201 [preauth]', connection('ConnectionClosed', ['connection', 'end'], '192.0.2.201', undefined));
  });

  it('Did not receive identification string', () => {
    expectSsh('Did not receive identification string from 192.0.2.200 port 61000', connection('NoIdentification', ['connection'], '192.0.2.200', 61000, 'failure'));
    expectSsh('Did not receive identification string from 192.0.2.200', connection('NoIdentification', ['connection'], '192.0.2.200', undefined, 'failure'));
  });

  it('POSSIBLE BREAK-IN ATTEMPT in both wordings, with the reverse name in source.domain', () => {
    expectSsh('reverse mapping checking getaddrinfo for scan.example.net [203.0.113.45] failed - POSSIBLE BREAK-IN ATTEMPT!', {
      ...connection('BreakInAttempt', ['info'], '203.0.113.45', undefined),
      'source.domain': 'scan.example.net',
    });
    expectSsh('Address 203.0.113.61 maps to mail.example.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!', {
      ...connection('BreakInAttempt', ['info'], '203.0.113.61', undefined),
      'source.domain': 'mail.example.com',
    });
  });

  it('message repeated N times gives N separate events of the inner message', () => {
    const inner = 'Failed password for root from 198.51.100.23 port 51522 ssh2';
    const line = `${HEADER}message repeated 3 times: [ ${inner}]`;
    const all = events(line);
    expect(all).toHaveLength(3);
    for (const e of all) {
      expect(e.fields).toEqual({
        ...base(inner, line),
        ...login('Failed', 'failure', 'root', '198.51.100.23', 51522),
        'system.auth.ssh.method': 'password',
        'system.auth.ssh.repeated': 3,
      });
    }
    expect(all[0]?.fields).not.toBe(all[1]?.fields);
    expect(all[0]?.fields['event.category']).not.toBe(all[1]?.fields['event.category']);
  });

  it('gives a plain line no repeat count, and "repeated 1 times" one event with count 1', () => {
    expect('system.auth.ssh.repeated' in fieldsOf(`${HEADER}Invalid user a from 192.0.2.1`)).toBe(false);
    expect(fieldsOf(`${HEADER}message repeated 1 times: [ Invalid user a from 192.0.2.1]`)['system.auth.ssh.repeated']).toBe(1);
  });

  it('caps message repeated at MAX_REPEAT (1,000) events per line, every one tagged and carrying the logged N', () => {
    expect(MAX_REPEAT).toBe(1000);
    for (const n of [MAX_REPEAT + 1, 99999, 999999999]) {
      const all = events(`${HEADER}message repeated ${n} times: [ Invalid user a from 192.0.2.1]`);
      expect(all).toHaveLength(MAX_REPEAT);
      expect(all.every((e) => e.fields['system.auth.ssh.repeated'] === n && e.fields['tags']?.toString() === REPEAT_TRUNCATED_TAG)).toBe(true);
      expect(all[MAX_REPEAT - 1]?.fields['tags']).toEqual([REPEAT_TRUNCATED_TAG]);
    }
    const atCap = events(`${HEADER}message repeated ${MAX_REPEAT} times: [ Invalid user a from 192.0.2.1]`);
    expect(atCap).toHaveLength(MAX_REPEAT);
    expect(atCap.some((e) => 'tags' in e.fields)).toBe(false);
  });

  it('counts sudo lines repeated too', () => {
    const all = events('Nov  2 10:00:00 web-1 sudo: message repeated 2 times: [ alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls]');
    expect(all.map((e) => [e.fields['system.auth.sudo.command'], e.fields['system.auth.ssh.repeated']])).toEqual([
      ['/bin/ls', 2],
      ['/bin/ls', 2],
    ]);
  });
});

describe('parseAuthLine: addresses', () => {
  it('IPv6', () => {
    expectSsh('Invalid user a from 2001:db8::7 port 22', login('Invalid', 'failure', 'a', '2001:db8::7', 22));
  });

  it('IPv4-mapped IPv6: source.ip is the IPv4 address, source.address stays as logged', () => {
    expectSsh('Failed password for root from ::ffff:198.51.100.4 port 22 ssh2', {
      ...login('Failed', 'failure', 'root', '198.51.100.4', 22),
      'source.address': '::ffff:198.51.100.4',
      'system.auth.ssh.method': 'password',
    });
  });

  it.each(['0.0.0.0', '10.0.0.1', '192.0.2.100', '255.255.255.255', '100.64.0.10'])('IPv4 %s is an IP', (ip) => {
    expectSsh(`Invalid user a from ${ip} port 22`, login('Invalid', 'failure', 'a', ip, 22));
  });

  it.each(['010.1.2.3', '10.01.2.3', '10.1.2.03', '10.1.2.00', '00.0.0.0', '1.2.3.004'])('IPv4 with a leading zero %s is not an IP: source.address only', (text) => {
    const f = fieldsOf(`${HEADER}Failed password for root from ${text} port 22 ssh2`);
    expect(f['source.address']).toBe(text);
    expect(f['source.port']).toBe(22);
    expect('source.ip' in f).toBe(false);
    expect('related.ip' in f).toBe(false);
    expect('source.ip' in fieldsOf(`${HEADER}Connection closed by ${text} port 22 [preauth]`)).toBe(false);
    // no IP, no break-in event: the check needs an address
    expect(parseAuthLine(`${HEADER}Address ${text} maps to x.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!`, CTX)).toMatchObject({ generic: true, problem: expect.any(String) });
  });

  it('a leading zero inside an IPv4-mapped IPv6 address is not an address at all (as node reads it)', () => {
    expectReadInPart(`${HEADER}Invalid user a from ::ffff:010.1.2.3`, "sshd: cannot read user and address in 'Invalid user a from ::ffff:010.1.2.3'");
  });

  it('a host name goes to source.address only', () => {
    const f = fieldsOf(`${HEADER}Failed password for root from client-7.example.org port 2222 ssh2`);
    expect(f['source.address']).toBe('client-7.example.org');
    expect(f['source.port']).toBe(2222);
    expect('source.ip' in f).toBe(false);
    expect('source.domain' in f).toBe(false);
    expect('related.ip' in f).toBe(false);
    const pam = fieldsOf(`${HEADER}pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=client-7.example.org  user=root`);
    expect(pam['source.address']).toBe('client-7.example.org');
    expect('source.ip' in pam).toBe(false);
  });
});

describe('parseAuthLine: attacker-chosen usernames are kept verbatim', () => {
  it.each([
    ['spaces', 'a b  c'],
    ['Slack mention', '<!channel>'],
    ['Slack link', '<https://example.com|click>'],
    ['unicode', 'пользователь😀'],
    ['the word from', 'from'],
    ['"from" inside', 'x from y'],
    ['a fake tail', 'a from 192.0.2.66 port 1 ssh2'],
    ['empty', ''],
    ['looks like a header', 'Nov  2 10:00:00 h sshd[1]:'],
  ])('%s', (_name, user) => {
    const failed = fieldsOf(`${HEADER}Failed password for invalid user ${user} from 203.0.113.9 port 22 ssh2`);
    expect([failed['user.name'], failed['source.ip'], failed['source.port']]).toEqual([user, '203.0.113.9', 22]);
    const invalid = fieldsOf(`${HEADER}Invalid user ${user} from 203.0.113.9 port 22`);
    expect([invalid['user.name'], invalid['source.ip']]).toEqual([user, '203.0.113.9']);
    const closed = fieldsOf(`${HEADER}Connection closed by invalid user ${user} 203.0.113.9 port 22 [preauth]`);
    expect([closed['user.name'], closed['source.ip']]).toEqual([user, '203.0.113.9']);
    const related = failed['related.user'];
    expect(related).toEqual(user === '' ? undefined : [user]);
  });
});

describe('parseAuthLine: sudo', () => {
  const SUDO = 'Nov  2 10:00:00 web-1 sudo: ';
  const sudoBase = (message: string, line: string): Fields => {
    const f: Fields = { ...base(message, line), 'process.name': 'sudo' };
    delete f['process.pid'];
    return f;
  };

  it('a command that ran', () => {
    const message = 'alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id -a ; echo x';
    const line = `${SUDO}   ${message}`;
    expect(fieldsOf(line)).toEqual({
      ...sudoBase(message, line),
      'event.action': 'sudo',
      'event.outcome': 'success',
      'event.category': ['process'],
      'event.type': ['start'],
      'user.name': 'alice',
      'user.effective.name': 'root',
      'system.auth.sudo.user': 'root',
      'system.auth.sudo.tty': 'pts/0',
      'system.auth.sudo.pwd': '/home/alice',
      'system.auth.sudo.command': '/usr/bin/id -a ; echo x',
      'related.user': ['alice', 'root'],
    });
  });

  it('incorrect password attempts', () => {
    const message = 'alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/su -';
    const line = SUDO + message;
    expect(fieldsOf(line)).toEqual({
      ...sudoBase(message, line),
      'event.action': 'sudo',
      'event.outcome': 'failure',
      'event.category': ['process'],
      'event.type': ['info'],
      'user.name': 'alice',
      'user.effective.name': 'root',
      'system.auth.sudo.user': 'root',
      'system.auth.sudo.tty': 'pts/0',
      'system.auth.sudo.pwd': '/home/alice',
      'system.auth.sudo.command': '/usr/bin/su -',
      'system.auth.sudo.error': 'incorrect password attempts',
      'system.auth.sudo.attempts': 3,
      'related.user': ['alice', 'root'],
    });
    expect(fieldsOf(`${SUDO}alice : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls`)['system.auth.sudo.attempts']).toBe(1);
  });

  it('user NOT in sudoers', () => {
    const f = fieldsOf(`${SUDO}mallory : user NOT in sudoers ; TTY=pts/3 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash`);
    expect(f).toMatchObject({
      'event.action': 'sudo',
      'event.outcome': 'failure',
      'event.type': ['info'],
      'user.name': 'mallory',
      'system.auth.sudo.error': 'user NOT in sudoers',
      'system.auth.sudo.command': '/bin/bash',
    });
    expect('system.auth.sudo.attempts' in f).toBe(false);
  });

  it('pam_unix(sudo:auth) authentication failure', () => {
    const message = 'pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice';
    const line = SUDO + message;
    expect(fieldsOf(line)).toEqual({
      ...sudoBase(message, line),
      'event.action': 'sudo',
      'event.outcome': 'failure',
      'event.category': ['process'],
      'event.type': ['info'],
      'user.name': 'alice',
      'system.auth.sudo.tty': '/dev/pts/0',
      'related.user': ['alice'],
    });
  });
});

describe('parseAuthLine: blank lines are skipped', () => {
  it.each(['', '   \t ', '\n'])('%j', (line) => {
    expect(parseAuthLine(line, CTX)).toEqual({ status: 'skipped', reason: 'empty line' });
  });
});

describe('parseAuthLine: every line whose header reads is an event', () => {
  it.each([
    ['Nov  2 10:05:00 web-1 CRON[1100]: (root) CMD (run-parts /etc/cron.hourly)', 'CRON', 1100, '(root) CMD (run-parts /etc/cron.hourly)'],
    ['Nov  2 10:05:00 web-1 systemd[1]: Started Session 7 of user ubuntu.', 'systemd', 1, 'Started Session 7 of user ubuntu.'],
    ['Nov  2 10:00:00 web-1 sshd[1001]: Server listening on 0.0.0.0 port 22.', 'sshd', 1001, 'Server listening on 0.0.0.0 port 22.'],
    ['Nov  2 10:00:00 web-1 sshd[1001]: Disconnecting: Change of username or service not allowed: (a,ssh-connection) -> (b,ssh-connection) [preauth]', 'sshd', 1001, 'Disconnecting: Change of username or service not allowed: (a,ssh-connection) -> (b,ssh-connection) [preauth]'],
    ['Nov  2 10:00:00 web-1 sshd[1001]: Failed to release session: Interrupted system call', 'sshd', 1001, 'Failed to release session: Interrupted system call'],
    ['Nov  2 10:00:00 web-1 kernel: [ 12.3] audit: type=1400 apparmor="DENIED"', 'kernel', undefined, '[ 12.3] audit: type=1400 apparmor="DENIED"'],
  ])('%j: the header fields, message and event.original, nothing else', (line, program, pid, message) => {
    const f = expectGeneric(line);
    const expected: Fields = {
      '@timestamp': `2024-11-02T${line.slice(7, 15)}.000Z`,
      'event.source': 'ssh',
      'event.kind': 'event',
      'event.original': line,
      message,
      'host.hostname': 'web-1',
      'process.name': program,
    };
    if (pid !== undefined) expected['process.pid'] = pid;
    expect(f).toEqual(expected);
  });

  it("PAM's session lines read the same under any program", () => {
    const result = parseAuthLine('Nov  2 10:05:00 web-1 CRON[1100]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)', CTX);
    expect(result.status === 'ok' && result.generic !== true ? result.events[0]?.fields : undefined).toMatchObject({
      'event.action': 'session-opened',
      'process.name': 'CRON',
      'user.name': 'root',
      'system.auth.pam.service': 'cron',
    });
  });

  it('an RFC 5424 line with no APP-NAME is an event with its message', () => {
    const f = expectGeneric('<13>1 2024-11-02T10:00:00Z web-1 - - - - hello');
    expect(f).toMatchObject({ '@timestamp': '2024-11-02T10:00:00.000Z', 'host.hostname': 'web-1', message: 'hello' });
    expect('process.name' in f).toBe(false);
  });

  it('a rule can match any program by process.name and message', () => {
    const f = expectGeneric('Nov  2 10:00:00 web-1 polkitd[88]: Operator of unix-session:3 FAILED to authenticate to gain authorization for action org.freedesktop.systemd1.manage-units');
    expect([f['process.name'], f['message']]).toEqual(['polkitd', expect.stringContaining('FAILED to authenticate')]);
  });
});

describe('parseAuthLine: errors (the header cannot be read)', () => {
  it.each([
    ['hello world', "not a syslog line: no timestamp and no 'host program[pid]:' header"],
    ['{"eventName":"AuthorizeSecurityGroupIngress"}', "not a syslog line: no timestamp and no 'host program[pid]:' header"],
    ['Nov  2 10:00:00 web-1 just some text', "no 'program[pid]:' tag after the timestamp and host"],
    ['Nov 32 10:00:00 web-1 sshd[1]: Invalid user a from 192.0.2.1', "invalid date 'Nov 32 10:00:00'"],
    ['Nov  2 25:00:00 web-1 sshd[1]: Invalid user a from 192.0.2.1', "invalid date 'Nov  2 25:00:00'"],
    ['Nov  2 10:0:00 web-1 sshd[1]: Invalid user a from 192.0.2.1', "malformed syslog timestamp 'Nov  2 10:0:00 web-1'"],
    ['2024-13-02T10:00:00Z web-1 sshd[1]: Invalid user a from 192.0.2.1', "invalid date '2024-13-02T10:00:00Z'"],
    ['2024-11-02 10:00 web-1 sshd[1]: x', "malformed ISO-8601 timestamp '2024-11-02'"],
    ['<999>Nov  2 10:00:00 web-1 sshd[1]: x', "invalid syslog priority '<999>'"],
    ['<34>1 2024-11-02T10:00:00Z web-1 sshd 1 - [unterminated x', 'malformed RFC5424 STRUCTURED-DATA'],
    ['<34>1 2024-11-02T10:00:00Z web-1', 'RFC5424 header is missing HOSTNAME, APP-NAME, PROCID or MSGID'],
  ])('%j', (line, message) => {
    expect(parseAuthLine(line, CTX)).toEqual({ status: 'error', message });
  });
});

describe('parseAuthLine: known messages that cannot be read are generic events that say why', () => {
  it.each([
    [`${HEADER}Failed password for root from 192.0.2.1 port 99999 ssh2`, "sshd: cannot read user, address and port in 'Failed password for root from 192.0.2.1 port 99999 ssh2'"],
    [`${HEADER}Invalid user admin`, "sshd: cannot read user and address in 'Invalid user admin'"],
    [`${HEADER}Invalid user admin from not/an/address`, "sshd: cannot read user and address in 'Invalid user admin from not/an/address'"],
    [`${HEADER}Connection closed by ???`, "sshd: cannot read the remote in 'Connection closed by ???'"],
    [`${HEADER}Did not receive identification string from a/b`, "sshd: cannot read the address in 'Did not receive identification string from a/b'"],
    [`${HEADER}pam_unix(sshd:auth): authentication failure; rhost=a/b user=x`, "sshd: unreadable rhost 'a/b'"],
    [`${HEADER}message repeated lots of times: [ x]`, "sshd: malformed 'message repeated N times: [ ... ]'"],
    ['Nov  2 10:00:00 web-1 sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root', "sudo: sudo log line without COMMAND=: 'TTY=pts/0 ; PWD=/ ; USER=root'"],
  ])('%j', (line, problem) => {
    expectReadInPart(line, problem);
  });

  it('is an error, not a throw, when now is not a valid time and the line has no timestamp', () => {
    expect(parseAuthLine('web-1 sshd[1]: Invalid user a from 192.0.2.1', { now: Number.NaN })).toEqual({ status: 'error', message: 'timestamp out of range' });
  });
});

describe('parseAuthLine: fixtures', () => {
  const summary = (e: KlaxonEvent): string =>
    [e.fields['@timestamp'], e.fields['event.action'], e.fields['system.auth.ssh.event'] ?? '-', e.fields['event.outcome'] ?? '-', e.fields['user.name'] ?? '-', e.fields['source.address'] ?? '-']
      .map(String)
      .join(' ');
  const parseFile = (name: string): ParseResult[] =>
    readFileSync(join(FIXTURES, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => parseAuthLine(line, CTX));
  const okSummaries = (results: ParseResult[]): string[] => results.flatMap((r) => (r.status === 'ok' && r.generic !== true ? r.events.map(summary) : []));

  it('auth.log (Ubuntu, RFC3164)', () => {
    const results = parseFile('auth.log');
    expect(results.map((r) => r.status)).toEqual(results.map(() => 'ok'));
    expect(results.filter((r) => r.status === 'ok' && r.generic === true)).toHaveLength(2);
    expect(okSummaries(results)).toEqual([
      '2024-11-02T10:00:01.000Z ssh_login Invalid failure admin 203.0.113.7',
      '2024-11-02T10:00:01.000Z ssh_login AuthFailure failure - 203.0.113.7',
      '2024-11-02T10:00:03.000Z ssh_login Failed failure admin 203.0.113.7',
      '2024-11-02T10:00:04.000Z ssh_connection ConnectionClosed failure admin 203.0.113.7',
      '2024-11-02T10:01:10.000Z ssh_login AuthFailure failure root 198.51.100.23',
      '2024-11-02T10:01:12.000Z ssh_login Failed failure root 198.51.100.23',
      '2024-11-02T10:01:15.000Z ssh_login Failed failure root 198.51.100.23',
      '2024-11-02T10:01:15.000Z ssh_login Failed failure root 198.51.100.23',
      '2024-11-02T10:01:16.000Z ssh_login MaxAuthTries failure root 198.51.100.23',
      '2024-11-02T10:01:16.000Z ssh_login TooManyAuthFailures failure root 198.51.100.23',
      '2024-11-02T10:01:16.000Z ssh_login AuthFailure failure root 198.51.100.23',
      '2024-11-02T10:02:00.000Z ssh_connection NoIdentification failure - 192.0.2.200',
      '2024-11-02T10:02:30.000Z ssh_connection ConnectionClosed - - 192.0.2.201',
      '2024-11-02T10:03:00.000Z ssh_login Accepted success ubuntu 192.0.2.10',
      '2024-11-02T10:03:00.000Z session-opened - success ubuntu -',
      '2024-11-02T10:03:00.000Z session-opened - success ubuntu -',
      '2024-11-02T10:03:20.000Z sudo - success ubuntu -',
      '2024-11-02T10:03:20.000Z session-opened - success root -',
      '2024-11-02T10:03:21.000Z session-closed - success root -',
      '2024-11-02T10:04:00.000Z ssh_login NotAllowed failure deploy 203.0.113.44',
      '2024-11-02T10:04:05.000Z ssh_connection BreakInAttempt - - 203.0.113.45',
      '2024-11-02T10:05:00.000Z session-opened - success root -',
      '2024-11-02T10:06:00.000Z ssh_connection ReceivedDisconnect - - 192.0.2.10',
      '2024-11-02T10:06:00.000Z ssh_connection Disconnected - ubuntu 192.0.2.10',
      '2024-11-02T10:06:00.000Z session-closed - success ubuntu -',
    ]);
  });

  it('formats.log (ISO, RFC5424, priorities, journal-style, sshd-session, sshd(pam_unix), sudo)', () => {
    const results = parseFile('formats.log');
    expect(results.map((r) => r.status)).toEqual(Array(13).fill('ok'));
    expect(okSummaries(results)).toEqual([
      '2024-11-02T09:00:00.123Z ssh_login Failed failure oracle 2001:db8::7',
      '2024-11-02T10:00:01.000Z ssh_connection ConnectionReset failure oracle 2001:db8::7',
      '2024-11-02T15:00:02.500Z ssh_login Accepted success carol ::ffff:198.51.100.4',
      '2024-11-02T10:00:03.000Z ssh_login Invalid failure test 203.0.113.90',
      '2024-11-02T10:00:04.000Z ssh_login Failed failure test 203.0.113.90',
      '2024-11-02T10:00:05.003Z ssh_login Accepted success dave 192.0.2.33',
      '2024-11-02T10:00:06.000Z sudo - success dave -',
      '2024-11-05T12:00:00.000Z ssh_login Failed failure root client-7.example.org',
      '2024-11-05T12:00:00.000Z ssh_connection BreakInAttempt - - 203.0.113.61',
      '2024-11-02T10:00:08.000Z ssh_login AuthFailure failure guest 203.0.113.62',
      '2024-11-02T10:00:09.000Z sudo - failure eve -',
      '2024-11-02T10:00:10.000Z sudo - failure mallory -',
      '2024-11-02T10:00:11.000Z sudo - failure eve -',
    ]);
  });
});

describe('parseAuthLine: properties', () => {
  const STATUSES = ['ok', 'skipped', 'error'];
  const known = new Set<string>([...COMMON_FIELDS, ...SSH_FIELDS.fields]);
  const validLines = [...readFileSync(join(FIXTURES, 'auth.log'), 'utf8').split('\n'), ...readFileSync(join(FIXTURES, 'formats.log'), 'utf8').split('\n')].filter(
    (line) => line !== '',
  );

  /** Holds for every result: a known status, no internal error, and well-formed events using only catalogued fields. */
  function checkResult(result: ParseResult): void {
    expect(STATUSES).toContain(result.status);
    if (result.status === 'error') expect(result.message).not.toMatch(/^internal/);
    if (result.status === 'skipped') expect(typeof result.reason).toBe('string');
    if (result.status !== 'ok') return;
    expect(result.events.length).toBeGreaterThan(0);
    for (const e of result.events) {
      expect(e.source).toBe('ssh');
      expect(e.fields['@timestamp']).toBe(new Date(e.timestamp).toISOString());
      for (const key of Object.keys(e.fields)) expect(known).toContain(key);
    }
  }

  const withCtx = fc.record({
    now: fc.integer({ min: -8.64e15, max: 8.64e15 }),
    envelopeTime: fc.option(fc.integer({ min: -8.64e15, max: 8.64e15 }), { nil: undefined }),
    year: fc.option(fc.integer({ min: -300_000, max: 300_000 }), { nil: undefined }),
    timeZone: fc.option(fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Pacific/Kiritimati'), { nil: undefined }),
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), withCtx, (line, ctx) => checkResult(parseAuthLine(line, ctx))),
      { numRuns: 3000 },
    );
  });

  it('never throws on random text after a valid header', () => {
    const headers = ['Nov  2 10:00:00 h sshd[1]: ', 'h sudo: ', '<34>1 2024-11-02T10:00:00Z h sshd 1 - - ', 'Nov  2 10:00:00 h sudo: a : '];
    fc.assert(
      fc.property(fc.constantFrom(...headers), fc.string({ maxLength: 200 }), (header, rest) => checkResult(parseAuthLine(header + rest, CTX))),
      { numRuns: 3000 },
    );
  });

  it('never throws on mutated valid lines', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 12 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(' ', ':', '[', ']', '<', '>', '.', '-', '0', '9', 'x', '\uFEFF', ' from ', ' port ') }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...validLines), fc.array(mutation, { minLength: 1, maxLength: 4 }), (line, mutations) => {
        let text = line;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.kind === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else if (m.kind === 'insert') text = text.slice(0, at) + m.text + text.slice(at);
          else if (m.kind === 'truncate') text = text.slice(0, at);
          else text = text.slice(0, at) + m.text + text.slice(at + 1);
        }
        checkResult(parseAuthLine(text, CTX));
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps any username verbatim and the address intact', () => {
    const user = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((u) => !u.includes('\n') && !u.includes('\r'));
    fc.assert(
      fc.property(user, (name) => {
        const failed = fieldsOf(`${HEADER}Failed password for invalid user ${name} from 203.0.113.9 port 22 ssh2`);
        expect([failed['user.name'], failed['source.ip'], failed['source.port']]).toEqual([name, '203.0.113.9', 22]);
        const closed = fieldsOf(`${HEADER}Connection closed by invalid user ${name} 203.0.113.9 port 22 [preauth]`);
        expect([closed['user.name'], closed['source.ip']]).toEqual([name, '203.0.113.9']);
      }),
      { numRuns: 2000 },
    );
  });

  it('formats @timestamp exactly as Date.toISOString does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(toIsoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20000 },
    );
  });
});
