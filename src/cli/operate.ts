/**
 * Acting on alerts from a terminal, on the same state as `klaxon run` and the Lambda
 * functions (SQLite via KLAXON_STATE, DynamoDB via KLAXON_TABLE): `klaxon ack`, `unack`,
 * `silence`, `unsilence`. Each runs the very handlers Slack's buttons run
 * (src/slack/interactions.ts): the same audit entry, the same message update, the same
 * thread line. With SLACK_BOT_TOKEN the Slack message is updated at once; without it the
 * update waits in the outbox for the next `klaxon run` (or the drain function).
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { DeliveryCounts } from '../alerts/deliver';
import { currentMessage, decodeGroupData } from '../alerts/group-data';
import { AlertLifecycle } from '../alerts/lifecycle';
import type { Notifier } from '../alerts/notifier';
import { parseDuration } from '../rules/duration';
import type { CompiledRule } from '../rules/types';
import { OUTBOX_CLIENT_OPTIONS, slackClientFromEnv } from '../slack/client';
import { InteractionHandlers, type InteractionDeps, type Requester } from '../slack/interactions';
import { SlackNotifier } from '../slack/notifier';
import { mrkdwnToText } from '../slack/text';
import { openStore } from '../store/open-store';
import type { StateStore } from '../store/types';
import { slackSetup } from './delivery-setup';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { resolveFingerprint } from './fingerprint-prefix';
import type { Loaded } from './rules-dir';
import { loadCheckedRules } from './setup';
import { TERMINAL_CHANNEL, TerminalNotifier } from './terminal-notifier';
import { terminalSafe } from './terminal-safe';

export const ACK_USAGE = 'klaxon ack FINGERPRINT [--by NAME]          (a unique prefix of the fingerprint will do)';
export const UNACK_USAGE = 'klaxon unack FINGERPRINT [--by NAME]';
export const SILENCE_USAGE = 'klaxon silence (--fingerprint FP | --rule RULE) --for DURATION [--reason TEXT] [--by NAME]   (DURATION: 30m, 4h, 7d…)';
export const UNSILENCE_USAGE = 'klaxon unsilence ID [--by NAME]';

const COMMON = { by: { type: 'string' }, rules: { type: 'string' }, templates: { type: 'string' } } as const;

/** `klaxon ack FP`: as the Acknowledge button. */
export function ackCommand(args: string[], io: CliIo): Promise<number> {
  return onAlert('ack', args, io, (h, req, fingerprint) => h.acknowledge(req, fingerprint));
}

/** `klaxon unack FP`: as the Unacknowledge button. */
export function unackCommand(args: string[], io: CliIo): Promise<number> {
  return onAlert('unack', args, io, (h, req, fingerprint) => h.unacknowledge(req, fingerprint));
}

/** `klaxon silence`: an alert's group (`--fingerprint`) or a whole rule (`--rule`), for `--for`. */
export async function silenceCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON, fingerprint: { type: 'string' }, rule: { type: 'string' }, for: { type: 'string' }, reason: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if ((values.fingerprint === undefined) === (values.rule === undefined)) throw new UsageError('give --fingerprint FP or --rule RULE (one of them)');
  const ms = values.for === undefined ? undefined : parseDuration(values.for);
  if (ms === undefined || ms <= 0) throw new UsageError(`--for takes a duration such as 30m, 4h or 7d${values.for === undefined ? '' : `, not "${values.for}"`}`);
  return operate('silence', values, io, async (ops) => {
    if (values.rule !== undefined) {
      const rule = ops.loaded.rules.find((r) => r.id === values.rule);
      if (rule === undefined) return fail(io, 'silence', `no rule "${values.rule}" is loaded (rules: ${ops.loaded.rules.map((r) => r.id).join(', ')})`);
      await ops.handlers.silenceRule(ops.req, rule.id, ms, values.reason);
      return EXIT_OK;
    }
    const fingerprint = await resolveFingerprint(ops.store, values.fingerprint ?? '', Date.now());
    if ('problem' in fingerprint) return fail(io, 'silence', fingerprint.problem);
    await ops.handlers.silenceAlert(ops.req, fingerprint.fingerprint, ms, values.reason);
    return EXIT_OK;
  });
}

/** `klaxon unsilence ID`: as the Unsilence button and `/klaxon unsilence`. */
export async function unsilenceCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: COMMON, strict: true, allowPositionals: true });
  const [id, extra] = positionals;
  if (id === undefined || extra !== undefined) throw new UsageError('give one silence id (klaxon silences lists them)');
  return operate('unsilence', values, io, async (ops) => {
    const known = (await ops.store.listSilences(Date.now())).some((s) => s.id.toUpperCase() === id.toUpperCase());
    if (!known) return fail(io, 'unsilence', `silence ${id} is not in force: it was already lifted, or it ended (klaxon silences lists the ones in force)`);
    await ops.handlers.liftSilence(ops.req, id);
    return EXIT_OK;
  });
}

async function onAlert(command: string, args: string[], io: CliIo, act: (h: InteractionHandlers, req: Requester, fingerprint: string) => Promise<void>): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: COMMON, strict: true, allowPositionals: true });
  const [prefix, extra] = positionals;
  if (prefix === undefined || extra !== undefined) throw new UsageError('give one alert fingerprint (klaxon alerts lists them)');
  return operate(command, values, io, async (ops) => {
    const fingerprint = await resolveFingerprint(ops.store, prefix, Date.now());
    if ('problem' in fingerprint) return fail(io, command, fingerprint.problem);
    await act(ops.handlers, ops.req, fingerprint.fingerprint);
    return EXIT_OK;
  });
}

interface Operations {
  loaded: Loaded;
  store: StateStore;
  handlers: InteractionHandlers;
  req: Requester;
}

/**
 * The state, the rules and the handlers, with the terminal as the requester. The operator
 * holds the state itself, so Slack's allow-lists do not apply: every change is audited under
 * `--by` (default: the OS user).
 */
async function operate(command: string, flags: { by?: string | undefined; rules?: string | undefined; templates?: string | undefined }, io: CliIo, run: (ops: Operations) => Promise<number>): Promise<number> {
  const env = io.env ?? process.env;
  const loaded = await loadCheckedRules(command, flags, io);
  if (loaded === undefined) return EXIT_FAILED;
  const by = (flags.by ?? operatorName()).trim();
  if (by === '') throw new UsageError('--by needs a name');
  const store = openStore(env);
  try {
    const slack = slackSetup(command, env, loaded.rules, io);
    const notifier: Notifier = slack === undefined ? new TerminalNotifier(io.stderr, loaded.templates) : new SlackNotifier(outboxClient(env), loaded.templates, { defaultRegion: env.AWS_REGION });
    const lifecycle = new AlertLifecycle({ store, rules: loaded.rules, notifier, defaultChannel: slack?.channel ?? TERMINAL_CHANNEL, invocationId: `klaxon-${command}:${process.pid}` });
    const waitForSlack = async (): Promise<void> => {
      await write(io.stderr, `klaxon ${command}: SLACK_BOT_TOKEN is not set: the change is recorded, and the alert's Slack message shows it after the next \`klaxon run\` with the token\n`);
    };
    const deps: InteractionDeps = {
      store,
      // Without Slack the update waits in the outbox; printed (terminal) messages are brought up to date here.
      lifecycle: slack === undefined ? { refresh: (fp) => refreshLocally(lifecycle, store, fp, waitForSlack) } : lifecycle,
      notifier: slack === undefined ? { reply: async () => undefined } : notifier,
      rules: loaded.rules.map(withoutAllowList),
      allowedUsers: [],
      log: (line) => void write(io.stderr, `${terminalSafe(line)}\n`),
    };
    const req: Requester = {
      userId: by,
      seesNoMessage: true,
      tell: async (text) => {
        await write(io.stdout, `${terminalSafe(mrkdwnToText(text))}\n`);
      },
    };
    try {
      return await run({ loaded, store, handlers: new InteractionHandlers(deps), req });
    } catch (error) {
      // The change may be recorded while Slack could not be updated: the error says which.
      return fail(io, command, `could not ${command}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    await store.close();
  }
}

/** Messages printed to a terminal are updated there; those in Slack wait for a run with the token. */
async function refreshLocally(lifecycle: AlertLifecycle, store: StateStore, fingerprint: string, waitForSlack: () => Promise<void>): Promise<DeliveryCounts> {
  const record = await store.getGroup(fingerprint);
  const current = record === undefined ? undefined : currentMessage(decodeGroupData(fingerprint, record.data));
  if (current === undefined || current.channel === TERMINAL_CHANNEL) return lifecycle.refresh(fingerprint);
  await lifecycle.markDue(fingerprint);
  await waitForSlack();
  return { posted: 0, updated: 0, waiting: 1, parked: 0 };
}

function withoutAllowList(rule: CompiledRule): CompiledRule {
  return { ...rule, allowedUsers: [] };
}

function outboxClient(env: NodeJS.ProcessEnv) {
  const client = slackClientFromEnv(env, OUTBOX_CLIENT_OPTIONS);
  if (client === undefined) throw new Error('internal: Slack without SLACK_BOT_TOKEN');
  return client;
}

/** Who a change from this terminal is recorded as: the OS user. */
export function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'cli';
  }
}

async function fail(io: CliIo, command: string, problem: string): Promise<number> {
  await write(io.stderr, `klaxon ${command}: ${terminalSafe(problem)}\n`);
  return EXIT_FAILED;
}
