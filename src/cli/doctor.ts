/**
 * `klaxon doctor`: checks the wiring of a deployed stage against its `deploy/<stage>.yml`
 * (log groups, Klaxon's subscription and metric filters on them, the alarms, the CloudTrail trail, the EventBridge
 * rule, the dead-letter queue, the SSM parameters and the bot token) and prints, per check,
 * how it stands and the command or edit that fixes it. It only reads.
 *
 * The stage configs are read from $KLAXON_DEPLOY_DIR when set, else the repository's `deploy/`.
 * Exit 0 when no check failed (warnings allowed), 1 when one did, 2 on a usage error.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEPLOY_DIR, DeployConfigError, EXAMPLE_CONFIG, loadStageConfig, STAGE_NAME, STAGE_NAME_RULE, stageConfigDir, type StageConfig } from '../deploy/config';
import { stageNames } from '../deploy/names';
import { describeAwsError, isSessionError, REGION_HINT } from '../aws/errors';
import { doctorClients, runChecks, SECTIONS, watchedGroups, expectedAlarms, type CheckResult, type CheckStatus, type DoctorClients } from '../aws/doctor-checks';
import { memberClients, memberCredentials, runMemberChecks, type MemberClients } from '../aws/member-checks';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { terminalSafe } from './terminal-safe';

export const DOCTOR_USAGE = [
  'klaxon doctor [--stage S] [--region R]   (reads deploy/<stage>.yml, or $KLAXON_DEPLOY_DIR/<stage>.yml)',
  'klaxon doctor --stage S --member-account ID [--member-region R] [--member-profile P]   (a member account of a central stage)',
].join('\n');

export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** `--stage` (default dev) and `--region`, checked as the deploy config checks them. */
export function stageAndRegion(values: { stage?: string; region?: string }, positionals: string[]): { stage: string; region?: string } {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const stage = values.stage ?? 'dev';
  if (!STAGE_NAME.test(stage)) throw new UsageError(`--stage must be ${STAGE_NAME_RULE}, not "${stage}"`);
  const region = values.region;
  if (region !== undefined && !REGION_PATTERN.test(region)) throw new UsageError(`--region must be an AWS region such as eu-west-1, not "${region}"`);
  return { stage, region };
}

/** `klaxon doctor` with clients built from the standard AWS settings. */
export function doctorCommand(args: string[], io: CliIo): Promise<number> {
  return doctor(args, io);
}

/** `klaxon doctor` over the given clients (tests), else the standard ones. */
export async function doctor(args: string[], io: CliIo, given?: DoctorClients, givenMember?: MemberClients): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: { stage: { type: 'string' }, region: { type: 'string' }, 'member-account': { type: 'string' }, 'member-region': { type: 'string' }, 'member-profile': { type: 'string' } },
  });
  const { stage, region: regionFlag } = stageAndRegion(values, positionals);
  const env = io.env ?? process.env;
  const dir = stageConfigDir(env);
  const report = new Report(io, colourful(io, env));

  const loaded = readConfig(stage, dir);
  const member = values['member-account'];
  if (member !== undefined) return doctorMember({ stage, account: member, region: values['member-region'] ?? regionFlag, profile: values['member-profile'], loaded, report, given: givenMember });
  if (values['member-region'] !== undefined || values['member-profile'] !== undefined) throw new UsageError('--member-region and --member-profile go with --member-account');
  const names = stageNames(stage, loaded.config ?? {});
  const clients = given ?? doctorClients(regionFlag);
  const region = await clientRegion(clients);
  await report.line(`klaxon doctor: stage ${stage} in ${region ?? '(no region)'}, config ${loaded.shown}`);
  if (region === undefined) {
    await report.print([loaded.result, { section: 'AWS access', status: 'fail', title: 'no AWS region, so nothing in the account was checked', details: [], fix: [REGION_HINT] }]);
    return report.finish();
  }

  let results: CheckResult[];
  try {
    const apiUrl = env.SLACK_API_URL?.trim();
    results = await runChecks({ stage, region, names, config: loaded.config, configFile: loaded.shown, clients, ...(apiUrl ? { slackApiUrl: apiUrl } : {}) });
  } catch (err) {
    if (!isSessionError(err)) throw err;
    const described = describeAwsError(err, { action: 'sqs:GetQueueUrl', region }) ?? String(err);
    await report.print([loaded.result, { section: 'AWS access', status: 'fail', title: 'cannot use AWS from here, so nothing in the account was checked', details: [described], fix: [] }]);
    return report.finish();
  }
  await report.print([loaded.result, ...results]);
  return report.finish();
}

/** `klaxon doctor --member-account ID`: the member's subscription filters and forwarding rule, and the central destination of its region. */
async function doctorMember(options: { stage: string; account: string; region?: string; profile?: string; loaded: ConfigOutcome; report: Report; given?: MemberClients }): Promise<number> {
  const { stage, account, loaded, report } = options;
  if (!/^\d{12}$/.test(account)) throw new UsageError(`--member-account must be an AWS account id (12 digits), not "${account}"`);
  if (options.region !== undefined && !REGION_PATTERN.test(options.region)) throw new UsageError(`--member-region must be an AWS region such as eu-west-1, not "${options.region}"`);
  const organization = loaded.config?.organization;
  if (organization === undefined) {
    const problem: CheckResult = loaded.config === undefined ? loaded.result : { section: 'Stage config', status: 'fail', title: `${loaded.shown} has no organization: section: stage ${stage} is not a central account`, details: [], fix: ['README, "Many accounts"'] };
    await report.print([problem]);
    return report.finish();
  }
  const region = options.region ?? organization.homeRegion;
  await report.line(`klaxon doctor: member account ${account} in ${region} of stage ${stage} (central account ${organization.centralAccount}, ${organization.homeRegion}), config ${loaded.shown}`);
  const reach = memberCredentials(account, region, organization, options.profile);
  if (options.given === undefined && reach === undefined) {
    await report.print([
      loaded.result,
      { section: 'Member account', status: 'fail', title: `no way into ${account}: nothing was checked`, details: [], fix: [`pass --member-profile PROFILE (a profile for ${account}), or name a role to assume in every member as organization.memberRoleName in ${loaded.shown}`] },
    ]);
    return report.finish();
  }
  const clients = options.given ?? memberClients(region, (reach as NonNullable<typeof reach>).credentials);
  const names = stageNames(stage, loaded.config ?? {});
  const results = await runMemberChecks({ stage, account, region, names, organization, clients, reachedAs: reach?.reachedAs ?? 'the given clients' });
  await report.print([loaded.result, ...results]);
  return report.finish();
}

interface ConfigOutcome {
  config?: StageConfig;
  /** The config file as shown to the user. */
  shown: string;
  result: CheckResult;
}

/** A path relative to the working directory when it is inside it, else absolute. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function readConfig(stage: string, dir: string): ConfigOutcome {
  const file = join(dir, `${stage}.yml`);
  const shown = shownPath(file);
  const leftOut = `the checks that need it (log groups, subscription and metric filters, signal alarms) are left out; SSM parameter names assume the default prefix /klaxon/${stage}`;
  if (!existsSync(file)) {
    const example = shownPath(join(DEPLOY_DIR, EXAMPLE_CONFIG));
    return {
      shown,
      result: {
        section: 'Stage config',
        status: 'fail',
        title: `${shown}: no config for stage "${stage}"`,
        details: [leftOut],
        fix: [`copy ${example} to ${shown} (cp ${example} ${shown}), list your log groups and Slack channel in it, then: npx serverless deploy --stage ${stage}`],
      },
    };
  }
  try {
    const { config } = loadStageConfig(stage, { dir, allowExample: false });
    const groups = watchedGroups(config).length;
    const alarms = expectedAlarms(config).length;
    return { config, shown, result: { section: 'Stage config', status: 'ok', title: `${shown}: ${groups} log group${groups === 1 ? '' : 's'}, ${alarms} alarm${alarms === 1 ? '' : 's'}`, details: [], fix: [] } };
  } catch (err) {
    if (!(err instanceof DeployConfigError)) throw err;
    return { shown, result: { section: 'Stage config', status: 'fail', title: `${shown}: not a valid stage config`, details: [...err.problems, leftOut], fix: [`edit ${shown}`] } };
  }
}

async function clientRegion(clients: DoctorClients): Promise<string | undefined> {
  try {
    const region = await clients.logs.config.region();
    return region === '' ? undefined : region;
  } catch {
    return undefined;
  }
}

function colourful(io: CliIo, env: NodeJS.ProcessEnv): boolean {
  return (io.stdout as { isTTY?: boolean }).isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

const MARKS: Record<CheckStatus, { mark: string; word: string; colour: string }> = {
  ok: { mark: '✓', word: 'ok  ', colour: '\x1b[32m' },
  fail: { mark: '✗', word: 'FAIL', colour: '\x1b[31m' },
  warn: { mark: '!', word: 'warn', colour: '\x1b[33m' },
  skip: { mark: '-', word: 'skip', colour: '\x1b[2m' },
};

/** The printed report and its counts. */
class Report {
  private readonly counts: Record<CheckStatus, number> = { ok: 0, fail: 0, warn: 0, skip: 0 };

  constructor(
    private readonly io: CliIo,
    private readonly colour: boolean,
  ) {}

  line(text: string): Promise<void> | void {
    return write(this.io.stdout, `${terminalSafe(text)}\n`);
  }

  async print(results: CheckResult[]): Promise<void> {
    const lines: string[] = [];
    for (const section of SECTIONS) {
      const inSection = results.filter((r) => r.section === section);
      if (inSection.length === 0) continue;
      lines.push('', section);
      for (const r of inSection) {
        this.counts[r.status]++;
        const { mark, word, colour } = MARKS[r.status];
        const label = `${mark} ${word}`;
        lines.push(`  ${this.colour ? `${colour}${label}\x1b[0m` : label} ${terminalSafe(r.title)}`);
        for (const d of r.details) lines.push(`         ${terminalSafe(d)}`);
        r.fix.forEach((f, i) => lines.push(`         ${i === 0 ? 'fix: ' : '     '}${terminalSafe(f)}`));
      }
    }
    await write(this.io.stdout, `${lines.join('\n')}\n`);
  }

  /** The closing line (worded so that no CI log reader takes it for a test runner's) and the exit code. */
  async finish(): Promise<number> {
    const { ok, fail, warn, skip } = this.counts;
    const skipped = skip > 0 ? `, ${skip} skipped` : '';
    await write(this.io.stdout, `\ndoctor: ${ok} check${ok === 1 ? '' : 's'} ok, ${fail} failed, ${warn} warning${warn === 1 ? '' : 's'}${skipped}\n`);
    return fail > 0 ? EXIT_FAILED : EXIT_OK;
  }
}
