/**
 * `klaxon <command> --help`: for every command its usage, options with their defaults,
 * examples and exit codes. Plain data with no imports, so `--help` loads nothing else.
 * test/cli/help.test.ts checks each option here against what the command accepts.
 */

export interface CommandHelp {
  usage: string;
  /** What the command does, in a sentence or two. */
  about: string;
  /** `[flag, meaning (default)]`. */
  options: Array<[string, string]>;
  examples: string[];
  /** `[code, meaning]`. */
  exit: Array<[string, string]>;
}

const RULES: [string, string] = ['--rules DIR', 'rule directory (default: $KLAXON_RULES, else ./rules, else the shipped rules)'];
const TEMPLATES: [string, string] = ['--templates DIR', 'Slack message templates (default: the shipped templates/)'];
const SOURCE: [string, string] = ['--source ssh|waf|cloudtrail|alarm|auto', 'force a parser; auto (default) sniffs each file and record'];
const YEAR: [string, string] = ['--year YYYY', 'the year of syslog timestamps that carry none (default: inferred)'];
const TZ: [string, string] = ['--tz ZONE', 'IANA time zone (Europe/Berlin, UTC) of syslog timestamps that carry no offset, such as RFC3164 (default: $KLAXON_SYSLOG_TZ, else UTC)'];
const BY: [string, string] = ['--by NAME', 'who the change is recorded as in the audit log (default: the OS user)'];
const STATE = 'State: KLAXON_STATE (SQLite, default .klaxon/state.db) or KLAXON_TABLE (DynamoDB).';
const USAGE_ERROR: [string, string] = ['2', 'usage error (a bad option or setting)'];
const INTERNAL: [string, string] = ['70', 'internal error (a bug: please report it)'];

export const HELP: Record<string, CommandHelp> = {
  run: {
    usage: 'klaxon run [options] [FILE...]',
    about: `Klaxon's main job: runs the rules over log files (or follows them), keeps alert state, and posts to Slack when SLACK_BOT_TOKEN is set, else prints the alerts here. No FILE: the bundled samples. ${STATE}`,
    options: [
      ['--follow', 'read the files, then follow them as they grow, until Ctrl-C'],
      ['--once', 'read the files and exit, without serving Slack interactions'],
      ['--serve', 'without SLACK_BOT_TOKEN: keep serving the alerts and their Acknowledge/Silence at http://127.0.0.1:PORT/ (default 3000) until Ctrl-C'],
      RULES,
      TEMPLATES,
      SOURCE,
      YEAR,
      TZ,
    ],
    examples: ['klaxon run', 'klaxon run --serve', 'klaxon run --follow /var/log/auth.log', 'SLACK_BOT_TOKEN=xoxb-… SLACK_CHANNEL=C0123 klaxon run --once auth.log'],
    exit: [
      ['0', 'every alert went out (or was printed)'],
      ['1', 'a file could not be read, the rules are invalid, or alerts still wait for Slack (kept in the state: they go out with the next run)'],
      USAGE_ERROR,
      INTERNAL,
    ],
  },
  validate: {
    usage: 'klaxon validate [options]',
    about: 'Checks every rule file and template; each problem as path:line:col: message [CODE] on stderr.',
    options: [RULES, TEMPLATES],
    examples: ['klaxon validate', 'klaxon validate --rules ./my-rules'],
    exit: [['0', 'every rule is valid'], ['1', 'a rule or template has a problem'], USAGE_ERROR, INTERNAL],
  },
  test: {
    usage: 'klaxon test [options]',
    about: 'Runs the tests inside the rule files: ok/FAIL per test, then N passed, N failed.',
    options: [RULES, TEMPLATES],
    examples: ['klaxon test', 'klaxon test --rules ./my-rules'],
    exit: [['0', 'every test passed'], ['1', 'a test failed or a rule is invalid'], USAGE_ERROR, INTERNAL],
  },
  import: {
    usage: 'klaxon import sigma FILE|DIR... [options]',
    about:
      "Writes one Klaxon rule file per Sigma rule (a directory: its .yml/.yaml files, recursively), named after the rule's title. Only log sources Klaxon reads are imported (product linux with service auth, sshd or sudo; product aws with service cloudtrail); a rule with anything that has no faithful Klaxon form (another log source, an unknown field or modifier, an aggregation) is refused with its place in the Sigma file, and the others are still imported. Every rule written passes klaxon validate; add tests to it.",
    options: [
      ['--out DIR', 'where to write the rules (default: $KLAXON_RULES, else ./rules; created if missing)'],
      ['--force', 'overwrite rule files that exist (default: refuse the rule)'],
    ],
    examples: ['klaxon import sigma my-sigma/ssh_root_login.yml', 'klaxon import sigma --out ./rules ./sigma-rules/'],
    exit: [['0', 'every rule was imported'], ['1', 'a rule was refused (its problems as path:line:col: message [CODE] on stderr)'], USAGE_ERROR, INTERNAL],
  },
  scan: {
    usage: 'klaxon scan [options] [FILE...]',
    about: 'Runs the rules over log files and prints the alerts, with no state and no Slack. - reads standard input; no FILE: the bundled samples.',
    options: [
      ['--format json|pretty|blocks', 'json (default): one alert per line; pretty: as a person reads it, with a Block Kit Builder link; blocks: the chat.postMessage arguments Slack would get'],
      ['--evidence short|full', 'with --format pretty: a few lines of evidence (default) or the whole Slack message'],
      ['--events', 'print every normalized event instead of alerts'],
      ['--explain RULE', 'instead of alerts, why events did not match rule RULE: how many matched, which condition the others failed first (with example values), and why lines yielded no event'],
      RULES,
      TEMPLATES,
      SOURCE,
      YEAR,
      TZ,
    ],
    examples: ['klaxon scan /var/log/auth.log', 'klaxon scan --format pretty samples/auth.log', 'zcat waf.log.gz | klaxon scan --source waf -', 'klaxon scan --events --format pretty auth.log', 'klaxon scan --explain ssh-root-login /var/log/auth.log'],
    exit: [['0', 'the scan ran (unparseable input is reported on stderr)'], ['1', 'a file could not be read or the rules are invalid'], USAGE_ERROR, INTERNAL],
  },
  replay: {
    usage: 'klaxon replay logs|cloudtrail [options]',
    about: 'Runs the rules over past events from CloudWatch Logs or CloudTrail event history; printed like scan, or delivered like run with --deliver.',
    options: [
      ['--log-group NAME|ARN', 'logs: the log group to read'],
      ['--stream-prefix P', 'logs: only streams starting with P'],
      ['--since 1h|ISO', 'the start: a duration back from now (30m, 7d) or an ISO time (required)'],
      ['--until T', 'the end (default: now)'],
      ['--deliver', 'deliver as klaxon run does (state, Slack or the terminal)'],
      ['--region R', 'AWS region (default: AWS_REGION)'],
      ['--format json|pretty', 'as for scan (not with --deliver)'],
      RULES,
      TEMPLATES,
      SOURCE,
      YEAR,
      TZ,
    ],
    examples: ['klaxon replay logs --log-group /prod/bastion/auth --since 7d', 'klaxon replay cloudtrail --since 24h --deliver'],
    exit: [['0', 'the replay ran'], ['1', 'AWS refused (the message names what is missing), or the rules are invalid'], USAGE_ERROR, INTERNAL],
  },
  doctor: {
    usage: 'klaxon doctor [options]',
    about: "Checks a deployed stage's wiring in the AWS account and Slack, with the fix for each problem.",
    options: [
      ['--stage S', 'the stage config deploy/<S>.yml (default: dev)'],
      ['--region R', 'AWS region (default: the stage config, else AWS_REGION)'],
      ['--member-account ID', "check a member account's wiring to a central stage instead (its subscription filters, its forwarding rule, the central destination's policy)"],
      ['--member-region R', "the member region to check (default: the organisation's home region)"],
      ['--member-profile P', 'an AWS profile in the member account (default: assume organization.memberRoleName there)'],
    ],
    examples: ['klaxon doctor --stage prod', 'klaxon doctor --stage central --member-account 123456789012 --member-region eu-west-1'],
    exit: [['0', 'every check passed'], ['1', 'a check failed'], USAGE_ERROR, INTERNAL],
  },
  'member-template': {
    usage: 'klaxon member-template --stage S [options]',
    about: "Writes the CloudFormation templates of a central stage's member accounts: the member template (subscription filters to the region's destination, the rule forwarding security-group calls to the central bus) and the destination template for the central account's other member regions.",
    options: [
      ['--stage S', 'the central stage config deploy/<S>.yml, with organization: (required)'],
      ['--out DIR', 'where to write klaxon-S-member.json and klaxon-S-destination.json (default: .klaxon/S)'],
    ],
    examples: ['klaxon member-template --stage central', 'klaxon member-template --stage central --out build/'],
    exit: [['0', 'written'], ['1', 'the stage config is invalid or has no organization:'], USAGE_ERROR, INTERNAL],
  },
  redrive: {
    usage: 'klaxon redrive [options]',
    about: "Replays a stage's dead letters through the functions that failed on them; deletes each once it succeeds.",
    options: [
      ['--stage S', 'the stage (default: dev)'],
      ['--region R', 'AWS region'],
      ['--max N', 'at most N messages'],
      ['--dry-run', 'show what would be replayed, change nothing'],
    ],
    examples: ['klaxon redrive --stage prod --dry-run', 'klaxon redrive --stage prod --max 10'],
    exit: [['0', 'every replayed message succeeded'], ['1', 'some failed again (they stay in the queue)'], USAGE_ERROR, INTERNAL],
  },
  alerts: {
    usage: 'klaxon alerts [options]',
    about: `The alerts on record: severity, title, count, first and last seen, acknowledged by, silenced until, the Slack link. ${STATE}`,
    options: [
      ['--rule RULE', 'only the alerts of this rule'],
      ['--all', 'every alert on record, not only the open ones'],
      ['--format pretty|json', 'pretty (default), or one JSON object per line'],
    ],
    examples: ['klaxon alerts', 'klaxon alerts --rule ssh-brute-force --format json'],
    exit: [['0', 'listed'], USAGE_ERROR, INTERNAL],
  },
  ack: {
    usage: 'klaxon ack FINGERPRINT [options]',
    about: `Acknowledges an alert as its Slack button does: audited, and its Slack message updated (with SLACK_BOT_TOKEN; else at the next run). A unique prefix of the fingerprint will do. ${STATE}`,
    options: [BY, RULES, TEMPLATES],
    examples: ['klaxon ack ssh-root-login:0567bf', 'klaxon ack ssh-brute-force:7c5c --by alice'],
    exit: [['0', 'done (or already so: said on stdout)'], ['1', 'no such alert, an ambiguous prefix, or Slack could not be updated'], USAGE_ERROR, INTERNAL],
  },
  unack: {
    usage: 'klaxon unack FINGERPRINT [options]',
    about: `Withdraws an acknowledgement: new alerts of the group notify again. ${STATE}`,
    options: [BY, RULES, TEMPLATES],
    examples: ['klaxon unack ssh-root-login:0567bf'],
    exit: [['0', 'done (or not acknowledged: said on stdout)'], ['1', 'no such alert, or an ambiguous prefix'], USAGE_ERROR, INTERNAL],
  },
  silence: {
    usage: 'klaxon silence (--fingerprint FP | --rule RULE) --for DURATION [options]',
    about: `Silences one alert or every alert of a rule for a while: matches are counted, not posted. A silence in force for the same scope is replaced. ${STATE}`,
    options: [
      ['--fingerprint FP', 'the alert (a unique prefix will do)'],
      ['--rule RULE', 'every alert of the rule'],
      ['--for DURATION', 'how long: 30m, 4h, 7d… (required)'],
      ['--reason TEXT', 'why, shown in the listings'],
      BY,
      RULES,
      TEMPLATES,
    ],
    examples: ['klaxon silence --rule ssh-login --for 4h --reason "maintenance window"', 'klaxon silence --fingerprint waf-block:3bfe --for 30m'],
    exit: [['0', 'silenced'], ['1', 'no such alert or rule'], USAGE_ERROR, INTERNAL],
  },
  silences: {
    usage: 'klaxon silences [options]',
    about: `The silences in force: id, what they cover, until when, by whom, why. ${STATE}`,
    options: [['--format pretty|json', 'pretty (default), or one JSON object per line']],
    examples: ['klaxon silences'],
    exit: [['0', 'listed'], USAGE_ERROR, INTERNAL],
  },
  unsilence: {
    usage: 'klaxon unsilence ID [options]',
    about: `Lifts a silence (its id is in klaxon silences and in the alert's thread). ${STATE}`,
    options: [BY, RULES, TEMPLATES],
    examples: ['klaxon unsilence SZMST1Q'],
    exit: [['0', 'lifted'], ['1', 'no such silence in force'], USAGE_ERROR, INTERNAL],
  },
};

/** The help text of one command. */
export function helpText(name: string): string | undefined {
  const help = HELP[name];
  if (help === undefined) return undefined;
  const width = Math.max(...help.options.map(([flag]) => flag.length), 4);
  const lines = [`Usage: ${help.usage}`, '', help.about];
  if (help.options.length > 0) lines.push('', 'Options:', ...help.options.map(([flag, meaning]) => `  ${flag.padEnd(width)}  ${meaning}`));
  lines.push('', 'Examples:', ...help.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes:', ...help.exit.map(([code, meaning]) => `  ${code.padEnd(3)} ${meaning}`));
  return lines.join('\n');
}
