/**
 * Issue 13, part 1: operating alerts from the terminal on the same state as `klaxon run`,
 * against SQLite and DynamoDB (dynalite), with the Slack stand-in: each change is audited like
 * a button press and updates the alert's Slack message exactly once.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { tableDefinition } from '../../src/store/dynamodb';
import { openStore } from '../../src/store/open-store';
import { failedPasswords } from '../helpers/auth-lines';
import { useSlackStandIn } from '../helpers/slack-standin';
import { jsonLines, runCli, tempDir } from './helpers';

jest.setTimeout(60_000);

const slack = useSlackStandIn();
let dynaliteServer: Server;
let dynamoEnv: NodeJS.ProcessEnv;
let tables = 0;

beforeAll(async () => {
  dynaliteServer = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynaliteServer.listen(0, '127.0.0.1', resolve));
  const { port } = dynaliteServer.address() as AddressInfo;
  dynamoEnv = { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
});
afterAll(async () => {
  await new Promise<void>((resolve) => dynaliteServer.close(() => resolve()));
});

const ROOT_LOGIN = 'Nov  2 10:04:11 bastion sshd[4242]: Accepted publickey for root from 198.51.100.77 port 50022 ssh2\n';

async function stateEnv(kind: 'sqlite' | 'dynamodb', dir: string): Promise<NodeJS.ProcessEnv> {
  if (kind === 'sqlite') return { KLAXON_STATE: join(dir, 'state.db') };
  const table = `klaxon-operate-${++tables}`;
  const client = new DynamoDBClient({ endpoint: dynamoEnv.AWS_ENDPOINT_URL_DYNAMODB, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(new CreateTableCommand(tableDefinition(table)));
  client.destroy();
  return { ...dynamoEnv, KLAXON_TABLE: table };
}

describe.each(['sqlite', 'dynamodb'] as const)('operating alerts from the terminal (%s)', (kind) => {
  let env: NodeJS.ProcessEnv;
  let slackEnv: NodeJS.ProcessEnv;
  const saved = { ...process.env };

  // The AWS SDK reads its region, endpoint and credentials from the process environment, as a user's shell gives them.
  beforeAll(() => {
    if (kind === 'dynamodb') Object.assign(process.env, dynamoEnv);
  });
  afterAll(() => {
    for (const key of Object.keys(dynamoEnv)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  beforeEach(async () => {
    const dir = tempDir();
    env = await stateEnv(kind, dir);
    slackEnv = { ...env, SLACK_BOT_TOKEN: 'xoxb-operate', SLACK_API_URL: slack.url, SLACK_CHANNEL: 'C0ALERTS' };
    const log = join(dir, 'auth.log');
    writeFileSync(log, ROOT_LOGIN + failedPasswords('203.0.113.50', 6));
    const run = await runCli(['run', '--once', '--year', '2024', log], { env: slackEnv });
    expect(run.code).toBe(0);
  });

  async function listed(): Promise<Array<Record<string, unknown>>> {
    const { code, stdout } = await runCli(['alerts', '--format', 'json'], { env });
    expect(code).toBe(0);
    return jsonLines(stdout);
  }

  it('alerts lists what run posted, with the Slack permalink; ack by prefix updates the message once and says so in its thread', async () => {
    const alerts = await listed();
    const root = alerts.find((a) => a.rule === 'ssh-root-login');
    expect(root).toMatchObject({ severity: 'critical', count: 1, open: true, waiting_for_slack: false });
    const posted = slack.messages().find((m) => String(m.text).includes('Root logged in'));
    expect(root?.slack_permalink).toBe(`https://slack.com/archives/C0ALERTS/p${String(posted?.ts).replace('.', '')}`);

    slack.reset();
    const prefix = String(root?.fingerprint).slice(0, 'ssh-root-login:'.length + 6);
    const ack = await runCli(['ack', prefix, '--by', 'alice'], { env: slackEnv });
    expect(ack).toMatchObject({ code: 0, stdout: '✅ Acknowledged by alice\n' });
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body.ts).toBe(posted?.ts);
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain('Acknowledged by alice');
    const thread = slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === posted?.ts);
    expect(thread.map((c) => c.body.text)).toEqual(['✅ Acknowledged by alice']);

    // the same change again changes nothing and updates nothing
    const again = await runCli(['ack', String(root?.fingerprint), '--by', 'bob'], { env: slackEnv });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Already acknowledged by alice at \d{4}-/);
    expect(slack.callsTo('chat.update')).toHaveLength(1);

    expect((await listed()).find((a) => a.rule === 'ssh-root-login')).toMatchObject({ acknowledged_by: 'alice' });
    const store = openStore(env);
    const audit = await store.listAudit({ fingerprint: String(root?.fingerprint) });
    await store.close();
    expect(audit.map((e) => [e.action, e.actor])).toEqual([['acknowledge', 'alice']]);

    const unack = await runCli(['unack', prefix, '--by', 'alice'], { env: slackEnv });
    expect(unack.code).toBe(0);
    expect(slack.callsTo('chat.update')).toHaveLength(2);
  });

  it('silence --rule with a reason, silences, unsilence: each updates the rule’s message once', async () => {
    slack.reset();
    const silenced = await runCli(['silence', '--rule', 'ssh-brute-force', '--for', '4h', '--reason', 'pen test', '--by', 'carol'], { env: slackEnv });
    expect(silenced.code).toBe(0);
    expect(silenced.stdout).toMatch(/Silenced every alert of rule `ssh-brute-force` until .* by carol/);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(JSON.stringify(slack.callsTo('chat.update')[0]?.body.blocks)).toContain('Rule silenced until');

    const list = await runCli(['silences', '--format', 'json'], { env });
    const [silence] = jsonLines(list.stdout);
    expect(silence).toMatchObject({ rule: 'ssh-brute-force', reason: 'pen test', created_by: 'carol' });
    expect((await listed()).find((a) => a.rule === 'ssh-brute-force')).toMatchObject({ silence_id: silence?.id });

    const lifted = await runCli(['unsilence', String(silence?.id).toLowerCase(), '--by', 'carol'], { env: slackEnv });
    expect(lifted.code).toBe(0);
    expect(slack.callsTo('chat.update')).toHaveLength(2);
    expect((await runCli(['silences'], { env })).stdout).toBe('No silences in force.\n');
  });

  it('without SLACK_BOT_TOKEN the change is recorded and the update waits in the outbox for the next run with the token', async () => {
    const root = (await listed()).find((a) => a.rule === 'ssh-root-login');
    slack.reset();
    const ack = await runCli(['ack', String(root?.fingerprint), '--by', 'dave'], { env });
    expect(ack.code).toBe(0);
    expect(ack.stderr).toContain("SLACK_BOT_TOKEN is not set: the change is recorded, and the alert's Slack message shows it after the next `klaxon run` with the token");
    expect(slack.calls).toHaveLength(0);
    expect((await listed()).find((a) => a.rule === 'ssh-root-login')).toMatchObject({ acknowledged_by: 'dave', waiting_for_slack: true });

    const empty = join(tempDir(), 'empty.log');
    writeFileSync(empty, '');
    expect((await runCli(['run', '--once', empty], { env: slackEnv })).code).toBe(0);
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain('Acknowledged by dave');
  });

  it('refuses what it cannot do, with exit 1 and the reason: unknown or ambiguous prefixes, unknown silences and rules', async () => {
    const noSuch = await runCli(['ack', 'nope:1234'], { env });
    expect(noSuch).toMatchObject({ code: 1 });
    expect(noSuch.stderr).toContain('no alert on record has a fingerprint starting with "nope:1234"');
    const ambiguous = await runCli(['ack', 'ssh-'], { env });
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/"ssh-" is ambiguous: 2 alerts start with it \(ssh-/);
    expect((await runCli(['unsilence', 'S0000000'], { env })).stderr).toContain('silence S0000000 is not in force');
    expect((await runCli(['silence', '--rule', 'nope', '--for', '1h'], { env })).stderr).toContain('no rule "nope" is loaded');
    const bad = await runCli(['silence', '--rule', 'ssh-login', '--for', 'soon'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--for takes a duration such as 30m, 4h or 7d, not "soon"');
  });
});
