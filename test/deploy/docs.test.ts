/**
 * The deployment's hand-written companions agree with the code: the Slack app manifest with
 * the Bolt app's route and slash command, the CloudWatch agent config with the example stage
 * config's SSH log groups, and the README's SSM commands with the parameter names the stack grants.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEPLOY_DIR, EXAMPLE_CONFIG, parseStageConfig } from '../../src/deploy/config';
import { stageNames } from '../../src/deploy/names';
import { EVENTS_PATH } from '../../src/slack/bolt-app';
import { COMMAND_USAGE, KLAXON_COMMAND } from '../../src/slack/interactions';

const ROOT = join(__dirname, '..', '..');
const read = (...path: string[]): string => readFileSync(join(ROOT, ...path), 'utf8');

interface SlashCommand {
  command: string;
  url: string;
  description: string;
  usage_hint?: string;
  should_escape?: boolean;
}

interface Manifest {
  display_information: { name: string; description?: string };
  features: { bot_user: { display_name: string; always_online?: boolean }; slash_commands: SlashCommand[]; app_home?: { home_tab_enabled?: boolean } };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions?: unknown;
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

interface AgentConfig {
  agent?: { run_as_user?: string };
  logs: { logs_collected: { files: { collect_list: Array<{ file_path: string; log_group_name: string; log_stream_name: string; retention_in_days?: number }> } } };
}

/** The subcommands `/klaxon help` documents: `• \`/klaxon status\` — …`. */
function documentedSubcommands(): string[] {
  const escaped = KLAXON_COMMAND.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return [...COMMAND_USAGE.matchAll(new RegExp(`\`${escaped} ([a-z]+)`, 'g'))].map((m) => m[1] ?? '');
}

/** The README's "Deploy on AWS" section, up to the next top-level heading. */
function deploySection(): string {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Deploy on AWS\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const next = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, next === -1 ? undefined : next);
}

describe('slack/manifest.yml', () => {
  const manifest = parse(read('slack', 'manifest.yml')) as Manifest;

  it('asks for exactly the bot scopes the code uses, and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['channels:history', 'channels:read', 'chat:write', 'commands', 'groups:history', 'groups:read']);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('declares the slash command Klaxon registers, at the Bolt route, with every documented subcommand in its hint', () => {
    expect(manifest.features.slash_commands).toHaveLength(1);
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe(KLAXON_COMMAND);
    expect(new URL(command?.url ?? '').pathname).toBe(EVENTS_PATH);
    const subcommands = documentedSubcommands();
    expect(subcommands).toEqual(expect.arrayContaining(['status', 'silences', 'unsilence', 'help']));
    for (const sub of subcommands) expect(command?.usage_hint).toContain(sub);
  });

  it('sends interactivity and the one Events API event (app_home_opened, for the Home tab) to the same URL as the slash command, over HTTP', () => {
    const { interactivity } = manifest.settings;
    expect(interactivity.is_enabled).toBe(true);
    expect(new URL(interactivity.request_url).pathname).toBe(EVENTS_PATH);
    expect(interactivity.request_url).toBe(manifest.features.slash_commands[0]?.url);
    expect(interactivity.request_url).toMatch(/^https:\/\/YOUR-API-ID\.execute-api\.REGION\.amazonaws\.com\//);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.event_subscriptions).toEqual({ request_url: interactivity.request_url, bot_events: ['app_home_opened'] });
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true });
  });

  it('has an always-online bot user', () => {
    expect(manifest.features.bot_user.display_name).toBe('Klaxon');
    expect(manifest.features.bot_user.always_online).toBe(true);
  });
});

describe('deploy/cloudwatch-agent.json', () => {
  const agent = JSON.parse(read('deploy', 'cloudwatch-agent.json')) as AgentConfig;
  const files = agent.logs.logs_collected.files.collect_list;
  const example = parseStageConfig(join(DEPLOY_DIR, EXAMPLE_CONFIG), readFileSync(join(DEPLOY_DIR, EXAMPLE_CONFIG), 'utf8'));

  it('collects both auth log locations, one stream per instance', () => {
    expect(files.map((f) => f.file_path).sort()).toEqual(['/var/log/auth.log', '/var/log/secure']);
    for (const file of files) expect(file.log_stream_name).toBe('{instance_id}');
  });

  it('writes into exactly the SSH log groups deploy/example.yml subscribes to', () => {
    expect(example.logGroups.ssh.length).toBeGreaterThan(0);
    expect([...new Set(files.map((f) => f.log_group_name))].sort()).toEqual([...example.logGroups.ssh].sort());
  });

  it('gives each log group one retention CloudWatch accepts', () => {
    const retentions = new Set(files.map((f) => f.retention_in_days));
    expect(retentions.size).toBe(1);
    expect([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]).toContain([...retentions][0]);
  });

  it('runs the agent as root, the only user that may read /var/log/secure', () => {
    expect(agent.agent?.run_as_user).toBe('root');
  });
});

describe('README "Deploy on AWS"', () => {
  const section = deploySection();

  it('stores the Slack secrets under the parameter names the functions are granted', () => {
    const names = stageNames('prod', {});
    const putNames = section
      .split('\n')
      .filter((line) => line.includes('aws ssm put-parameter'))
      .map((line) => /--name\s+(\S+)/.exec(line)?.[1]);
    expect(putNames).toEqual([names.botTokenParameter, names.signingSecretParameter]);
    for (const line of section.split('\n').filter((l) => l.includes('aws ssm put-parameter'))) expect(line).toContain('--type SecureString');
  });

  it('points at the manifest and agent files, which exist', () => {
    for (const file of ['slack/manifest.yml', 'deploy/cloudwatch-agent.json', 'deploy/example.yml']) {
      expect(section).toContain(file);
      expect(existsSync(join(ROOT, file))).toBe(true);
    }
  });
});
