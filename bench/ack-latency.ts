/**
 * Acknowledgement round trip: a signed block_actions request to the real Bolt app over HTTP,
 * answered once the state is written, the message updated and the thread reply posted
 * (processBeforeResponse, as on Lambda), timed from request to response.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AlertLifecycle } from '../src/alerts/lifecycle';
import type { KlaxonEvent } from '../src/events/event';
import type { CompiledRule } from '../src/rules/types';
import { ACKNOWLEDGE_ACTION_ID, UNACKNOWLEDGE_ACTION_ID, actionsBlockId } from '../src/slack/actions';
import { createInteractionApp } from '../src/slack/bolt-app';
import { createSlackClient } from '../src/slack/client';
import { SlackNotifier } from '../src/slack/notifier';
import type { TemplateSet } from '../src/slack/templates';
import { readEvents, ReadStats } from '../src/sources/read-events';
import { DEFAULT_ROUTES } from '../src/sources/routing';
import { SqliteStore } from '../src/store/sqlite';
import { blockActionsBody, blockActionsPayload, signedRequest } from '../test/helpers/slack-signing';
import type { SlackStandIn } from '../test/helpers/slack-standin';

const SECRET = 'bench-signing-secret';
const GROUPS = 20;

export async function benchAcknowledgements(options: { rules: CompiledRule[]; templates: TemplateSet; slack: SlackStandIn; dir: string; count: number }): Promise<void> {
  const { rules, templates, slack, dir, count } = options;
  const store = SqliteStore.open(join(dir, 'ack.db'));
  const client = createSlackClient({ token: 'xoxb-bench', apiUrl: slack.url });
  const notifier = new SlackNotifier(client, templates);
  const lifecycle = new AlertLifecycle({ store, rules, notifier, defaultChannel: 'C0BENCH', invocationId: 'bench-ack' });
  slack.reset();
  await lifecycle.processBatch(await bruteForceEvents());
  const posted = slack.callsTo('chat.postMessage').map((c) => ({ fingerprint: fingerprintOf(c.body.blocks), channel: String(c.body.channel) }));
  const messages = await Promise.all(
    posted.map(async (p) => {
      const record = await store.getGroup(p.fingerprint);
      const data = record?.data as { messages: Array<{ ts?: string; channel: string }> } | undefined;
      const current = data?.messages.at(-1);
      return { fingerprint: p.fingerprint, ts: current?.ts ?? '', channel: current?.channel ?? p.channel };
    }),
  );

  const server = createInteractionApp({ botToken: 'xoxb-bench', signingSecret: SECRET, apiUrl: slack.url, port: 0, host: '127.0.0.1', deps: { store, lifecycle, notifier, rules, allowedUsers: [] } });
  const { port } = await server.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const message = messages[i % messages.length];
      if (message === undefined) throw new Error('no alert messages to acknowledge');
      const acknowledge = Math.floor(i / messages.length) % 2 === 0;
      const payload = blockActionsPayload({
        userId: 'U0BENCH1',
        actionId: acknowledge ? ACKNOWLEDGE_ACTION_ID : UNACKNOWLEDGE_ACTION_ID,
        blockId: actionsBlockId(message.fingerprint),
        value: message.fingerprint,
        channelId: message.channel,
        messageTs: message.ts,
        responseUrl: slack.responseUrl(`ack-${i}`),
      });
      const { headers, body } = signedRequest(SECRET, blockActionsBody(payload));
      const started = process.hrtime.bigint();
      const response = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { ...headers }, body });
      await response.text();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (response.status !== 200) throw new Error(`acknowledgement answered HTTP ${response.status}`);
    }
  } finally {
    await server.stop();
    await store.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  console.log(`\nAcknowledge/Unacknowledge round trip (${count} signed requests to the Bolt app on 127.0.0.1, state in SQLite; each writes state, updates the message and posts a thread reply before answering)`);
  console.log(`  p50 ${at(50).toFixed(1)} ms, p90 ${at(90).toFixed(1)} ms, p99 ${at(99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms (target p99 < 300 ms; Slack allows 3 s)`);
  if (at(99) >= 300) {
    console.error('  TARGET MISSED: p99 acknowledgement latency');
    process.exitCode = 1;
  }
}

/** Five failed logins from each of GROUPS addresses: one brute-force alert each. */
async function bruteForceEvents(): Promise<KlaxonEvent[]> {
  const lines: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    for (let i = 0; i < 5; i++) lines.push(`Nov  2 10:00:0${i} bastion sshd[${2000 + g * 5 + i}]: Failed password for root from 192.0.2.${g + 1} port ${40000 + g * 5 + i} ssh2`);
  }
  const events: KlaxonEvent[] = [];
  await readEvents('-', Readable.from([Buffer.from(`${lines.join('\n')}\n`)]), { source: 'ssh', year: 2024, now: Date.now(), routes: DEFAULT_ROUTES }, new ReadStats(), (batch) => {
    events.push(...batch);
  });
  return events;
}

function fingerprintOf(blocks: unknown): string {
  const actions = Array.isArray(blocks) ? blocks.find((b: { type?: string }) => b.type === 'actions') : undefined;
  const blockId = (actions as { block_id?: string } | undefined)?.block_id ?? '';
  return blockId.replace(/^klaxon_actions:/, '');
}
