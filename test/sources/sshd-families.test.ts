import { parseAuthLine } from '../../src/sources/sshd';
import type { FieldValue } from '../../src/events/event';

/**
 * Issue 11, part 2 (a first share): sshd message families that were skipped or unreadable,
 * written as OpenSSH and the platforms log them. The source address is always the one sshd
 * wrote in its own place, never text the client chose.
 */
const PREFIX = 'Nov  2 10:00:00 bastion sshd[4242]: ';

function fields(message: string): Record<string, FieldValue> {
  const result = parseAuthLine(PREFIX + message, { year: 2024, now: Date.UTC(2024, 11, 1) });
  if (result.status !== 'ok') throw new Error(`${message}: ${result.status === 'error' ? result.message : result.reason}`);
  return (result.events[0] as { fields: Record<string, FieldValue> }).fields;
}

const pick = (f: Record<string, FieldValue>, ...keys: string[]) => Object.fromEntries(keys.map((k) => [k, f[k]]));
const LOGIN = ['event.action', 'event.outcome', 'system.auth.ssh.event', 'user.name', 'source.ip', 'source.port'];
const CONNECTION = ['event.action', 'event.outcome', 'system.auth.ssh.event', 'source.ip', 'source.port'];

describe('sshd families', () => {
  it.each([
    ['Failed password for root from 203.0.113.5 port 22 ssh1', 'Failed', 'failure', 22],
    ['Failed password for root from 203.0.113.5', 'Failed', 'failure', undefined],
    ['Accepted password for root from 203.0.113.5', 'Accepted', 'success', undefined],
    ['Accepted publickey for root from 203.0.113.5 port 22 ssh1: RSA 2048 aa:bb', 'Accepted', 'success', 22],
  ])('%s: the SSH-1 suffix, or no port at all', (message, event, outcome, port) => {
    expect(pick(fields(message), ...LOGIN)).toEqual({ 'event.action': 'ssh_login', 'event.outcome': outcome, 'system.auth.ssh.event': event, 'user.name': 'root', 'source.ip': '203.0.113.5', 'source.port': port });
  });

  it('a user name that spells " from ADDR port N" never becomes the address, with or without the port', () => {
    expect(pick(fields('Failed password for x from 1.2.3.4 port 1 ssh2 from 203.0.113.5'), 'user.name', 'source.ip')).toEqual({ 'user.name': 'x from 1.2.3.4 port 1 ssh2', 'source.ip': '203.0.113.5' });
    expect(pick(fields('Failed password for invalid user y from 1.2.3.4 from 203.0.113.5 port 22 ssh2'), 'user.name', 'source.ip')).toEqual({ 'user.name': 'y from 1.2.3.4', 'source.ip': '203.0.113.5' });
  });

  it('ROOT LOGIN REFUSED FROM: a refused root login', () => {
    expect(pick(fields('ROOT LOGIN REFUSED FROM 203.0.113.5'), ...LOGIN)).toEqual({ 'event.action': 'ssh_login', 'event.outcome': 'failure', 'system.auth.ssh.event': 'RootLoginRefused', 'user.name': 'root', 'source.ip': '203.0.113.5', 'source.port': undefined });
  });

  it.each([
    ['Disconnected from invalid user admin 203.0.113.5 port 51022 [preauth]', 'failure', 'admin'],
    ['Disconnected from authenticating user root 203.0.113.5 port 51022 [preauth]', 'failure', 'root'],
    ['Disconnected from user alice 203.0.113.5 port 51022', undefined, 'alice'],
  ])('%s', (message, outcome, user) => {
    expect(pick(fields(message), ...CONNECTION, 'user.name')).toEqual({ 'event.action': 'ssh_connection', 'event.outcome': outcome, 'system.auth.ssh.event': 'Disconnected', 'source.ip': '203.0.113.5', 'source.port': 51022, 'user.name': user });
  });

  it.each([
    ['Unable to negotiate with 203.0.113.5 port 51022: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]', 'NegotiationFailed', 51022],
    ["Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.5 port 51022", 'BadProtocolVersion', 51022],
    ["Bad protocol version identification 'SSH-1.5 from 198.51.100.1 port 22' from 203.0.113.5", 'BadProtocolVersion', undefined],
    ['refused connect from scanner.example (203.0.113.5)', 'RefusedConnect', undefined],
  ])('%s: a client turned away before authenticating', (message, event, port) => {
    expect(pick(fields(message), ...CONNECTION)).toEqual({ 'event.action': 'ssh_connection', 'event.outcome': 'failure', 'system.auth.ssh.event': event, 'source.ip': '203.0.113.5', 'source.port': port });
  });

  it('Postponed: an attempt that is not decided yet, with no outcome', () => {
    expect(pick(fields('Postponed keyboard-interactive for root from 203.0.113.5 port 22 ssh2 [preauth]'), ...LOGIN, 'system.auth.ssh.method')).toEqual({
      'event.action': 'ssh_login',
      'event.outcome': undefined,
      'system.auth.ssh.event': 'Postponed',
      'user.name': 'root',
      'source.ip': '203.0.113.5',
      'source.port': 22,
      'system.auth.ssh.method': 'keyboard-interactive',
    });
  });

  it.each([
    ['error: PAM: User not known to the underlying authentication module for illegal user admin from 203.0.113.5', 'admin', '203.0.113.5', undefined],
    ['PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root', 'root', '203.0.113.5', 2],
    ['pam_succeed_if(sshd:auth): requirement "uid >= 1000" not met by user "root"', 'root', undefined, undefined],
  ])('%s: PAM refused the login', (message, user, ip, repeated) => {
    expect(pick(fields(message), 'event.action', 'event.outcome', 'system.auth.ssh.event', 'user.name', 'source.ip', 'system.auth.ssh.repeated')).toEqual({
      'event.action': 'ssh_login',
      'event.outcome': 'failure',
      'system.auth.ssh.event': 'AuthFailure',
      'user.name': user,
      'source.ip': ip,
      'system.auth.ssh.repeated': repeated,
    });
  });

  it.each([
    ['Received disconnect from 203.0.113.5 port 51022:3: com.jcraft.jsch.JSchException: Auth fail [preauth]', 'ClientGaveUp', 'failure', 51022],
    ['Received disconnect from 203.0.113.5 port 51022:11: Bye Bye [preauth]', 'ReceivedDisconnect', undefined, 51022],
    ['Received disconnect from 2001:db8::5 port 51022:11: disconnected by user', 'ReceivedDisconnect', undefined, 51022],
    ['Received disconnect from 203.0.113.5: 11: Bye Bye', 'ReceivedDisconnect', undefined, undefined],
  ])('%s', (message, event, outcome, port) => {
    const f = fields(message);
    expect(pick(f, 'event.action', 'event.outcome', 'system.auth.ssh.event', 'source.port')).toEqual({ 'event.action': 'ssh_connection', 'event.outcome': outcome, 'system.auth.ssh.event': event, 'source.port': port });
    expect(f['source.ip']).toMatch(/^(203\.0\.113\.5|2001:db8::5)$/);
  });

  it('the Solaris message ID after the tag, and a program written [sshd] with no pid', () => {
    const solaris = parseAuthLine('Nov  2 10:00:00 sol-1 sshd[4242]: [ID 800047 auth.info] Failed password for root from 203.0.113.5 port 22 ssh2', { year: 2024, now: 0 });
    const bracketed = parseAuthLine('Nov  2 10:00:00 box [sshd]: Failed password for root from 203.0.113.5 port 22 ssh2', { year: 2024, now: 0 });
    for (const result of [solaris, bracketed]) {
      expect(result.status).toBe('ok');
      if (result.status !== 'ok') continue;
      expect(pick(result.events[0]?.fields ?? {}, 'process.name', 'system.auth.ssh.event', 'user.name', 'source.ip')).toEqual({ 'process.name': 'sshd', 'system.auth.ssh.event': 'Failed', 'user.name': 'root', 'source.ip': '203.0.113.5' });
    }
    if (solaris.status === 'ok') expect(solaris.events[0]?.fields.message).toBe('Failed password for root from 203.0.113.5 port 22 ssh2');
  });

  it.each([
    ['error: PAM: authentication error for james from client.example.com via 192.0.2.201', 'james', 'client.example.com', '192.0.2.201'],
    ['error: PAM: authentication error for illegal user admin from 203.0.113.5', 'admin', '203.0.113.5', '203.0.113.5'],
    ['error: PAM: Authentication failure for illegal user x from 1.2.3.4 via 5.6.7.8 from 203.0.113.5', 'x from 1.2.3.4 via 5.6.7.8', '203.0.113.5', '203.0.113.5'],
    ['error: PAM: User not known to the underlying authentication module for illegal user kernelitshell from 203.0.113.227 ', 'kernelitshell', '203.0.113.227', '203.0.113.227'],
  ])('%s: auth-pam.c failures, with the host and the address sshd connected (via)', (message, user, address, ip) => {
    expect(pick(fields(message), 'event.outcome', 'system.auth.ssh.event', 'user.name', 'source.address', 'source.ip')).toEqual({
      'event.outcome': 'failure',
      'system.auth.ssh.event': 'AuthFailure',
      'user.name': user,
      'source.address': address,
      'source.ip': ip,
    });
  });

  it.each([
    ['User root not allowed because account is locked', 'root'],
    ['User svc not allowed because shell /sbin/nologin does not exist', 'svc'],
  ])('%s: auth.c names a local account with no address', (message, user) => {
    expect(pick(fields(message), ...LOGIN)).toEqual({ 'event.action': 'ssh_login', 'event.outcome': 'failure', 'system.auth.ssh.event': 'NotAllowed', 'user.name': user, 'source.ip': undefined, 'source.port': undefined });
  });

  it.each([
    ['fatal: Unable to negotiate with 203.0.113.92: no matching cipher found. Their offer: aes128-cbc,3des-cbc', 'NegotiationFailed', undefined],
    ['fatal: Timeout before authentication for 203.0.113.94 port 40003', 'LoginGraceTimeout', 40003],
    ['banner exchange: Connection from 203.0.113.95 port 43122: invalid format', 'BannerExchangeFailed', 43122],
    ['Protocol major versions differ for 203.0.113.96 port 40001: SSH-2.0-OpenSSH_9.6 vs. SSH-1.5-Nmap-SSH1-Hostkey', 'ProtocolMismatch', 40001],
  ])('%s: a connection that ended before any login', (message, event, port) => {
    const f = fields(message);
    expect(pick(f, ...CONNECTION)).toEqual({ 'event.action': 'ssh_connection', 'event.outcome': 'failure', 'system.auth.ssh.event': event, 'source.ip': expect.stringMatching(/^203\.0\.113\.9\d$/), 'source.port': port });
  });

  it('a client-chosen banner that spells an address never becomes the source', () => {
    expect(fields('Protocol major versions differ for 203.0.113.96 port 40001: SSH-2.0-x from 1.2.3.4 port 1 vs. SSH-1.5-y')['source.ip']).toBe('203.0.113.96');
  });

  describe('PerSourcePenalties (OpenSSH 9.8+, srclimit.c and sshd.c)', () => {
    it.each([
      ['srclimit_penalise: ipv4: new 203.0.113.0/24 active penalty of 30.000 seconds for penalty: failed authentication', '203.0.113.0/24', undefined, ['denied'], 'penalty: failed authentication'],
      ['srclimit_penalise: ipv4: new 203.0.113.7/32 deferred penalty of 1.000 seconds for penalty: connections without attempting authentication', '203.0.113.7/32', '203.0.113.7', ['info'], 'penalty: connections without attempting authentication'],
      ['srclimit_penalise: 203.0.113.98/32: activating ipv4 penalty of 15.000 seconds for penalty: attempted authentication by invalid user', '203.0.113.98/32', '203.0.113.98', ['denied'], 'penalty: attempted authentication by invalid user'],
      ['srclimit_penalise: ipv6: new 2001:db8::/64 active penalty of 600.000 seconds for penalty: exceeded LoginGraceTime', '2001:db8::/64', undefined, ['denied'], 'penalty: exceeded LoginGraceTime'],
    ])('%s', (message, network, ip, type, reason) => {
      expect(pick(fields(message), 'event.action', 'system.auth.ssh.event', 'event.type', 'source.address', 'source.ip', 'event.reason')).toEqual({
        'event.action': 'ssh_connection',
        'system.auth.ssh.event': 'Penalty',
        'event.type': type,
        'source.address': network,
        'source.ip': ip,
        'event.reason': reason,
      });
    });

    it.each([
      ['drop connection #0 from [203.0.113.99]:54012 on [192.0.2.20]:22 penalty: failed authentication', '203.0.113.99', 54012, 'penalty: failed authentication'],
      ['drop connection #10 from [2001:db8::5]:44321 on [2001:db8::1]:22 past MaxStartups', '2001:db8::5', 44321, 'past MaxStartups'],
    ])('%s: a dropped connection, with the reason', (message, ip, port, reason) => {
      expect(pick(fields(message), ...CONNECTION, 'event.reason')).toEqual({ 'event.action': 'ssh_connection', 'event.outcome': 'failure', 'system.auth.ssh.event': 'ConnectionDropped', 'source.ip': ip, 'source.port': port, 'event.reason': reason });
    });
  });

  it('unreadable variants are generic events that say why, not wrong events', () => {
    for (const message of ['ROOT LOGIN REFUSED FROM not an address!', "Bad protocol version identification 'x'", 'refused connect from nowhere', 'drop connection #1 from [not/an/address]:1 on [192.0.2.1]:22 past MaxStartups', 'srclimit_penalise: ipv4: new x/y active penalty of 1.000 seconds for penalty: failed authentication', 'fatal: Timeout before authentication for a/b port 1']) {
      const result = parseAuthLine(PREFIX + message, { year: 2024, now: 0 });
      expect(result).toMatchObject({ status: 'ok', generic: true, problem: expect.stringMatching(/^sshd: /) });
      const fields = result.status === 'ok' ? result.events[0]?.fields : undefined;
      expect(fields?.['event.action']).toBeUndefined();
      expect(fields?.['source.ip']).toBeUndefined();
    }
  });
});
