/** Generated sshd lines for delivery tests: logins and failures, one a second, in one year (2024). */

function stamp(base: number, i: number): string {
  const t = new Date(base + i * 1000);
  const month = t.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${month} ${String(t.getUTCDate()).padStart(2, ' ')} ${t.toISOString().slice(11, 19)}`;
}

const BASE = Date.UTC(2024, 10, 2, 10, 0, 0);

/** `n` successful logins of distinct users from distinct addresses: `n` ssh-login alerts. */
export function successfulLogins(n: number, offset = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `198.51.${100 + Math.floor((i + offset) / 250)}.${((i + offset) % 250) + 1}`;
    lines.push(`${stamp(BASE, i + offset)} bastion sshd[${1000 + i}]: Accepted publickey for user${i + offset} from ${ip} port ${40000 + i} ssh2`);
  }
  return `${lines.join('\n')}\n`;
}

/** `n` failed passwords for root from `ip`, one a second from `startSecond`. */
export function failedPasswords(ip: string, n: number, startSecond = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${stamp(BASE, startSecond + i)} bastion sshd[${5000 + startSecond + i}]: Failed password for root from ${ip} port ${50000 + i} ssh2`);
  return `${lines.join('\n')}\n`;
}
