import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeAwsLogsEvent, type CloudWatchLogsPayload } from '../../src/sources/awslogs';
import { jsonLines, REPO, runCli, tempDir } from '../cli/helpers';

/**
 * Issue 10, item 5: a 4.7 MB awslogs record (59 MB inflated) cost 1.27 GB and 20 s, and a
 * gzip bomb could inflate to 64 MiB. Now a record over 1 MiB and a payload inflating past
 * 16 MiB are each one located error, and the scan goes on to the genuine alert after them.
 */
const RULES = join(REPO, 'rules');

function payload(messages: string[]): CloudWatchLogsPayload {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/var/log/auth.log',
    logStream: 'i-0abc',
    subscriptionFilters: ['klaxon-ssh'],
    logEvents: messages.map((message, i) => ({ id: String(i), timestamp: Date.UTC(2024, 10, 2, 10, 0, i % 60), message })),
  };
}

const login = (user: string, i: number): string => `Nov  2 10:00:${String(i % 60).padStart(2, '0')} bastion sshd[${1000 + i}]: Accepted publickey for ${user} from 198.51.100.${i % 250} port ${30000 + i} ssh2`;

describe('oversized input is one located error, and the scan goes on', () => {
  it('an awslogs record over 1 MiB and a gzip bomb are skipped; the root login after them alerts', async () => {
    const dir = tempDir();
    const large = JSON.stringify(encodeAwsLogsEvent(payload(Array.from({ length: 120_000 }, (_, i) => login(`u${(i * 7919) % 100_003}`, i)))));
    expect(large.length).toBeGreaterThan(1024 * 1024);
    const bombData = gzipSync(Buffer.from(JSON.stringify(payload(['x'.repeat(20 * 1024 * 1024)])))).toString('base64');
    const bomb = JSON.stringify({ awslogs: { data: bombData } });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const genuine = JSON.stringify(encodeAwsLogsEvent(payload([login('root', 7)])));
    const file = join(dir, 'deliveries.jsonl');
    writeFileSync(file, `${large}\n${bomb}\n${genuine}\n`);

    const { code, stdout, stderr } = await runCli(['scan', '--year', '2024', '--rules', RULES, file]);
    const alerts = jsonLines(stdout);
    expect(alerts.map((a) => a.rule)).toEqual(['ssh-root-login']);
    expect(stderr).toContain(`${file}:1:`);
    expect(stderr).toContain('record longer than 1048576 bytes (1 MiB): skipped');
    expect(stderr).toContain(`${file}:2:`);
    expect(stderr).toContain('inflates to more than 16777216 bytes (16 MiB): skipped');
    // bad records are reported, as unparseable lines are; they do not fail the scan
    expect(code).toBe(0);
  });
});
