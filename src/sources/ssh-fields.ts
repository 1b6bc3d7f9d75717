import { OUTCOMES, type FieldCatalogue } from '../events/event';
import { ACCOUNT_ACTIONS, ACCOUNT_CATEGORIES, ACCOUNT_TYPES } from './account-programs';
import { SSH_ACTIONS, SSH_CATEGORIES, SSH_TYPES } from './sshd';

/**
 * Fields the sshd/auth-log parser (`parseAuthLine`) sets besides the common ones, named as
 * Elastic's system.auth pipeline names them. Exactly what it emits, so that rule files naming
 * anything else under system.auth are caught as typos.
 */
export const SSH_FIELDS: FieldCatalogue = {
  fields: [
    'host.hostname',
    'process.name',
    'process.pid',
    'source.domain',
    'user.effective.name',
    'related.ip',
    'related.user',
    'log.syslog.priority',
    'log.syslog.facility.code',
    'log.syslog.severity.code',
    'system.auth.ssh.event',
    'system.auth.ssh.method',
    'system.auth.ssh.signature',
    // the N of `message repeated N times`, on every event of such a line (whether sshd or sudo logged it)
    'system.auth.ssh.repeated',
    'system.auth.sudo.tty',
    'system.auth.sudo.pwd',
    'system.auth.sudo.user',
    'system.auth.sudo.command',
    'system.auth.sudo.error',
    'system.auth.sudo.attempts',
    // account and session programs (src/sources/account-programs.ts)
    'user.id',
    'user.target.name',
    'group.name',
    'group.id',
    'system.auth.su.tty',
    'system.auth.pam.service',
    'system.auth.session.id',
    // why a message of a kind the parser knows could not be read (the line is then a generic event)
    'error.message',
    // why sshd dropped a connection or penalised a source (PerSourcePenalties, MaxStartups)
    'event.reason',
  ],
  prefixes: [],
  kinds: {
    'process.pid': 'number',
    'related.ip': 'ip',
    'log.syslog.priority': 'number',
    'log.syslog.facility.code': 'number',
    'log.syslog.severity.code': 'number',
    'system.auth.ssh.repeated': 'number',
    'system.auth.sudo.attempts': 'number',
  },
  values: {
    'event.action': [...SSH_ACTIONS, ...ACCOUNT_ACTIONS],
    'event.outcome': OUTCOMES,
    'event.category': [...new Set([...SSH_CATEGORIES, ...ACCOUNT_CATEGORIES])],
    'event.type': [...new Set([...SSH_TYPES, ...ACCOUNT_TYPES])],
  },
};
