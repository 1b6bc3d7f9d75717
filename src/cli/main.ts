import type * as Run from './run';
import type * as Validate from './validate';
import type * as Test from './test';
import type * as Scan from './scan';
import type * as AlertsList from './alerts-list';
import type * as Operate from './operate';
import type * as Replay from './replay';
import type * as Doctor from './doctor';
import type * as Redrive from './redrive';
import type * as MemberTemplate from './member-template';
import type * as Import from './import';
import type * as Version from './version';
import { HELP, helpText } from './help';
import { EXIT_USAGE, UsageError, write, type CliIo } from './io';

type Command = (args: string[], io: CliIo) => Promise<number>;

/**
 * Each command's module is required when the command runs, not before: `klaxon --help` and
 * `klaxon validate` load neither Bolt nor the AWS SDK nor SQLite. `usage` goes with a usage error.
 */
interface Entry {
  summary: string;
  load(): { run: Command; usage: string };
}

/* eslint-disable @typescript-eslint/no-require-imports -- the lazy loading described at Entry */
const COMMANDS: Record<string, Entry> = {
  run: {
    summary: 'the main job: alerts from log files (or --follow) to Slack, or printed here without SLACK_BOT_TOKEN',
    load: () => {
      const m = require('./run') as typeof Run;
      return { run: m.runCommand, usage: m.RUN_USAGE };
    },
  },
  validate: {
    summary: 'check every rule file; problems as path:line:col: message',
    load: () => {
      const m = require('./validate') as typeof Validate;
      return { run: m.validateCommand, usage: m.VALIDATE_USAGE };
    },
  },
  test: {
    summary: 'run the tests inside the rule files',
    load: () => {
      const m = require('./test') as typeof Test;
      return { run: m.testCommand, usage: m.TEST_USAGE };
    },
  },
  import: {
    summary: 'write Klaxon rule files from Sigma rules (linux auth/sshd/sudo, aws cloudtrail)',
    load: () => {
      const m = require('./import') as typeof Import;
      return { run: m.importCommand, usage: m.IMPORT_USAGE };
    },
  },
  scan: {
    summary: 'run the rules over log files and print the alerts (or --events)',
    load: () => {
      const m = require('./scan') as typeof Scan;
      return { run: m.scanCommand, usage: m.SCAN_USAGE };
    },
  },
  alerts: {
    summary: 'the alerts on record (KLAXON_STATE or KLAXON_TABLE): severity, title, count, acknowledged, silenced, Slack link',
    load: () => {
      const m = require('./alerts-list') as typeof AlertsList;
      return { run: m.alertsCommand, usage: m.ALERTS_USAGE };
    },
  },
  ack: {
    summary: 'acknowledge an alert, as its Slack button does (audited; the Slack message is updated)',
    load: () => {
      const m = require('./operate') as typeof Operate;
      return { run: m.ackCommand, usage: m.ACK_USAGE };
    },
  },
  unack: {
    summary: 'withdraw an acknowledgement',
    load: () => {
      const m = require('./operate') as typeof Operate;
      return { run: m.unackCommand, usage: m.UNACK_USAGE };
    },
  },
  silence: {
    summary: 'silence an alert or a whole rule for a while: matches are counted, not posted',
    load: () => {
      const m = require('./operate') as typeof Operate;
      return { run: m.silenceCommand, usage: m.SILENCE_USAGE };
    },
  },
  silences: {
    summary: 'the silences in force',
    load: () => {
      const m = require('./alerts-list') as typeof AlertsList;
      return { run: m.silencesCommand, usage: m.SILENCES_USAGE };
    },
  },
  unsilence: {
    summary: 'lift a silence',
    load: () => {
      const m = require('./operate') as typeof Operate;
      return { run: m.unsilenceCommand, usage: m.UNSILENCE_USAGE };
    },
  },
  replay: {
    summary: "run the rules over past CloudWatch Logs or CloudTrail events (try a rule on last week's logs)",
    load: () => {
      const m = require('./replay') as typeof Replay;
      return { run: m.replayCommand, usage: m.REPLAY_USAGE };
    },
  },
  doctor: {
    summary: "check a deployed stage's wiring in the AWS account and Slack, with the fix for each problem",
    load: () => {
      const m = require('./doctor') as typeof Doctor;
      return { run: m.doctorCommand, usage: m.DOCTOR_USAGE };
    },
  },
  'member-template': {
    summary: "write the CloudFormation templates of a central stage's member accounts (many accounts)",
    load: () => {
      const m = require('./member-template') as typeof MemberTemplate;
      return { run: m.memberTemplateCommand, usage: m.MEMBER_TEMPLATE_USAGE };
    },
  },
  redrive: {
    summary: "replay a stage's dead letters (events its functions failed on) and delete those that now succeed",
    load: () => {
      const m = require('./redrive') as typeof Redrive;
      return { run: m.redriveCommand, usage: m.REDRIVE_USAGE };
    },
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 1;

export const USAGE = [
  'Usage: klaxon <command> [options]',
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)} ${c.summary}\n${' '.repeat(NAME_WIDTH + 3)}${HELP[name]?.usage ?? ''}`),
  '',
  'Rules come from --rules DIR, else $KLAXON_RULES, else ./rules, else the rules shipped with Klaxon.',
  'klaxon <command> --help: its options, defaults, examples and exit codes.',
  'klaxon --version: the version, and the GeoIP database\'s date and licence.',
].join('\n');

/**
 * The `klaxon` command as a function: `bin/klaxon.js` only passes the process's streams
 * and sets the exit code it returns.
 *
 * @example
 *   const code = await main(['scan', 'auth.log'], { stdin, stdout, stderr });
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    await write(name === undefined ? io.stderr : io.stdout, `${USAGE}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    // Required here, not above: --help never reads the GeoIP database.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await write(io.stdout, (require('./version') as typeof Version).versionText(io.env));
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    await write(io.stderr, `klaxon: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    await write(io.stdout, `${helpText(name) ?? `Usage: ${HELP[name]?.usage ?? name}`}\n`);
    return 0;
  }
  const { run, usage } = command.load();
  try {
    return await run(args, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      await write(io.stderr, `klaxon ${name}: ${(err as Error).message}\nUsage: ${usage}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
