import { ALERTS_USAGE, alertsCommand, SILENCES_USAGE, silencesCommand } from './alerts-list';
import { DOCTOR_USAGE, doctorCommand } from './doctor';
import { ACK_USAGE, ackCommand, SILENCE_USAGE, silenceCommand, UNACK_USAGE, unackCommand, UNSILENCE_USAGE, unsilenceCommand } from './operate';
import { helpText } from './help';
import { EXIT_USAGE, UsageError, write, type CliIo } from './io';
import { REDRIVE_USAGE, redriveCommand } from './redrive';
import { REPLAY_USAGE, replayCommand } from './replay';
import { RUN_USAGE, runCommand } from './run';
import { SCAN_USAGE, scanCommand } from './scan';
import { TEST_USAGE, testCommand } from './test';
import { VALIDATE_USAGE, validateCommand } from './validate';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  run: { run: runCommand, usage: RUN_USAGE, summary: 'the main job: alerts from log files (or --follow) to Slack, or printed here without SLACK_BOT_TOKEN' },
  validate: { run: validateCommand, usage: VALIDATE_USAGE, summary: 'check every rule file; problems as path:line:col: message' },
  test: { run: testCommand, usage: TEST_USAGE, summary: 'run the tests inside the rule files' },
  scan: { run: scanCommand, usage: SCAN_USAGE, summary: 'run the rules over log files and print the alerts (or --events)' },
  alerts: { run: alertsCommand, usage: ALERTS_USAGE, summary: 'the alerts on record (KLAXON_STATE or KLAXON_TABLE): severity, title, count, acknowledged, silenced, Slack link' },
  ack: { run: ackCommand, usage: ACK_USAGE, summary: 'acknowledge an alert, as its Slack button does (audited; the Slack message is updated)' },
  unack: { run: unackCommand, usage: UNACK_USAGE, summary: 'withdraw an acknowledgement' },
  silence: { run: silenceCommand, usage: SILENCE_USAGE, summary: 'silence an alert or a whole rule for a while: matches are counted, not posted' },
  silences: { run: silencesCommand, usage: SILENCES_USAGE, summary: 'the silences in force' },
  unsilence: { run: unsilenceCommand, usage: UNSILENCE_USAGE, summary: 'lift a silence' },
  replay: { run: replayCommand, usage: REPLAY_USAGE, summary: "run the rules over past CloudWatch Logs or CloudTrail events (try a rule on last week's logs)" },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE, summary: "check a deployed stage's wiring in the AWS account and Slack, with the fix for each problem" },
  redrive: { run: redriveCommand, usage: REDRIVE_USAGE, summary: "replay a stage's dead letters (events its functions failed on) and delete those that now succeed" },
};

export const USAGE = [
  'Usage: klaxon <command> [options]',
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n${c.usage.split('\n').map((line) => `            ${line.trim()}`).join('\n')}`),
  '',
  'Rules come from --rules DIR, else $KLAXON_RULES, else ./rules, else the rules shipped with Klaxon.',
  'klaxon <command> --help: its options, defaults, examples and exit codes.',
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
  const command = COMMANDS[name];
  if (command === undefined) {
    await write(io.stderr, `klaxon: unknown command "${name}"\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    await write(io.stdout, `${helpText(name) ?? `Usage: ${command.usage}`}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      await write(io.stderr, `klaxon ${name}: ${(err as Error).message}\nUsage: ${command.usage}\n`);
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
