import type { FieldCatalogue } from '../events/event';

/** Fields the sshd/auth-log parser sets (besides the common ones), as Elastic's system.auth pipeline names them. */
export const SSH_FIELDS: FieldCatalogue = {
  fields: [
    'host.hostname',
    'process.name',
    'process.pid',
    'user.effective.name',
    'system.auth.ssh.event',
    'system.auth.ssh.method',
    'system.auth.ssh.signature',
    'system.auth.sudo.tty',
    'system.auth.sudo.pwd',
    'system.auth.sudo.user',
    'system.auth.sudo.command',
    'system.auth.sudo.error',
    'log.syslog.priority',
    'log.syslog.facility.code',
    'log.syslog.severity.code',
    'related.ip',
    'related.user',
  ],
  prefixes: ['system.auth.'],
};
