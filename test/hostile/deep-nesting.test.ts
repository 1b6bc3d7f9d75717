/**
 * Issue 10, item 2: one deeply nested CloudTrail record must not block its batch. A 37 KB
 * record nested 6,000 levels made the group state's encoding throw (RangeError), so
 * `klaxon run` exited 70 and posted nothing, not even the genuine critical alert beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAwsLogsEvent } from '../../src/sources/awslogs';
import { runCli, tempDir } from '../cli/helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'cloudtrail');

/** JSON text nested `depth` objects deep (written as text: JSON.stringify of it overflows jest's stack). */
function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}{"leaf":"x"}${'}'.repeat(depth)}`;
}

it('a record nested 6,000 levels among genuine ones: the run goes on and the critical alert is printed', async () => {
  const dir = tempDir();
  const genuine = JSON.parse(readFileSync(join(FIXTURES, 'authorize-ingress-legacy.json'), 'utf8')) as Record<string, unknown>;
  const hostile = JSON.stringify({ ...genuine, eventID: 'deadbeef-0000-4000-8000-00000000dead', requestParameters: { ...(genuine.requestParameters as object), groupName: '@NESTED@' } }).replace('"@NESTED@"', nestedJson(6000));
  const file = join(dir, 'trail.json');
  writeFileSync(file, `${hostile}\n${JSON.stringify(genuine)}\n`);
  const run = await runCli(['run', '--once', file], { env: { KLAXON_STATE: join(dir, 'state.db') } });
  expect(run.stderr).not.toContain('internal error');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('sg-open-to-world');
});

it('the same record inside a CloudWatch Logs delivery (as the Lambda receives it): bounded too, the run goes on', async () => {
  const dir = tempDir();
  const genuine = JSON.parse(readFileSync(join(FIXTURES, 'authorize-ingress-legacy.json'), 'utf8')) as Record<string, unknown>;
  const hostile = JSON.stringify({ ...genuine, eventID: 'deadbeef-0000-4000-8000-00000000beef', requestParameters: { ...(genuine.requestParameters as object), groupName: '@NESTED@' } }).replace('"@NESTED@"', nestedJson(6000));
  const delivery = {
    messageType: 'DATA_MESSAGE' as const,
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs-123456789012',
    logStream: '123456789012_CloudTrail_eu-west-1',
    subscriptionFilters: ['klaxon'],
    logEvents: [
      { id: 'c0', timestamp: Date.UTC(2024, 10, 2), message: hostile },
      { id: 'c1', timestamp: Date.UTC(2024, 10, 2), message: JSON.stringify(genuine) },
    ],
  };
  const file = join(dir, 'delivery.json');
  writeFileSync(file, `${JSON.stringify(encodeAwsLogsEvent(delivery))}\n`);
  const run = await runCli(['run', '--once', file], { env: { KLAXON_STATE: join(dir, 'state.db') } });
  expect(run.stderr).not.toContain('internal error');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('sg-open-to-world');
});
