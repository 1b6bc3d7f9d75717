/**
 * Slack without Slack: when `klaxon run` has no SLACK_BOT_TOKEN and keeps running (`--serve`
 * or `--follow`), it serves a page on 127.0.0.1:PORT listing the alerts rendered as Slack
 * would show them. Their Acknowledge and Silence controls run the very handlers Slack's
 * buttons run (CONTROLS in src/slack/interactions.ts), on the same state.
 *
 * The page is for the person at this machine: it listens on the loopback address only, and
 * every action must carry the random token embedded in the page, so another site open in
 * the same browser cannot post actions to it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageView } from '../alerts/deliver';
import { currentMessage, decodeGroupData } from '../alerts/group-data';
import type { AlertLifecycle } from '../alerts/lifecycle';
import type { Notifier } from '../alerts/notifier';
import { silenceFor } from '../alerts/silences';
import type { CompiledRule } from '../rules/types';
import { blocksToHtml, escapeHtml, mrkdwnToHtml } from '../slack/blocks-html';
import { CONTROLS, InteractionHandlers, type Requester } from '../slack/interactions';
import { renderAlert } from '../slack/render';
import type { TemplateSet } from '../slack/templates';
import type { StateStore } from '../store/types';
import type { InteractionServer } from './interactions-server';

export interface LocalPageSetup {
  store: StateStore;
  lifecycle: AlertLifecycle;
  notifier: Notifier;
  rules: readonly CompiledRule[];
  templates: TemplateSet;
  /** Who the actions are recorded as (the OS user). */
  operator: string;
  port: number;
  log: (line: string) => void;
}

export interface LocalPage extends InteractionServer {
  url: string;
}

const MAX_BODY_BYTES = 16 * 1024;

export async function startLocalPage(setup: LocalPageSetup): Promise<LocalPage> {
  const token = randomBytes(16).toString('hex');
  const handlers = new InteractionHandlers({
    store: setup.store,
    lifecycle: setup.lifecycle,
    notifier: setup.notifier,
    // The person at this machine holds the state itself: Slack's allow-lists do not apply.
    rules: setup.rules.map((r) => ({ ...r, allowedUsers: [] })),
    allowedUsers: [],
    log: setup.log,
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      setup.log(`local page: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/') return send(res, 200, 'text/html; charset=utf-8', await page(setup, token));
    if (req.method === 'POST' && path === '/actions') return act(req, res);
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'text/plain', 'ok');
    send(res, 404, 'text/plain', 'not found');
  }

  async function act(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    if (body === undefined) return send(res, 400, 'application/json', JSON.stringify({ error: 'a JSON object is expected' }));
    if (typeof body.token !== 'string' || !sameToken(body.token, token)) return send(res, 403, 'application/json', JSON.stringify({ error: 'this page has expired: reload it' }));
    const control = typeof body.action_id === 'string' ? CONTROLS[body.action_id] : undefined;
    if (control === undefined || typeof body.value !== 'string' || body.value === '') return send(res, 400, 'application/json', JSON.stringify({ error: 'unknown control' }));
    const notices: string[] = [];
    const requester: Requester = {
      userId: setup.operator,
      seesNoMessage: true,
      tell: async (text) => {
        notices.push(text);
      },
    };
    await handlers.guard(requester, control.what, () => control.run(handlers, requester, body.value as string));
    send(res, 200, 'application/json', JSON.stringify({ notice: notices.map(mrkdwnToHtml).join('<br>') }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(setup.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let signalled: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (signalled = resolve));
  process.once('SIGINT', signalled);
  process.once('SIGTERM', signalled);
  return {
    url: `http://127.0.0.1:${port}/`,
    waitForStop: () => stopRequested,
    stop: async () => {
      process.off('SIGINT', signalled);
      process.off('SIGTERM', signalled);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The alerts on record, newest activity first, each as Slack would show its message. */
async function page(setup: LocalPageSetup, token: string): Promise<string> {
  const now = Date.now();
  const [groups, silences] = await Promise.all([setup.store.listActiveGroups(now), setup.store.listSilences(now)]);
  const messages = groups.flatMap((record) => {
    const data = decodeGroupData(record.fingerprint, record.data);
    const message = currentMessage(data);
    if (message === undefined) return [];
    const view = messageView(data, message, silenceFor(silences, record.rule, record.fingerprint, now));
    const rendered = renderAlert(view.alert, setup.templates, { status: view.status });
    return [`<article class="message" data-fingerprint="${escapeHtml(record.fingerprint)}">${blocksToHtml(rendered.blocks)}</article>`];
  });
  const body = messages.length === 0 ? '<p class="empty">No open alerts.</p>' : messages.join('\n');
  return PAGE.replace('{{TOKEN}}', escapeHtml(token)).replaceAll('{{COUNT}}', String(messages.length)).replace('{{MESSAGES}}', () => body);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Only the page's own inline script and style; no other origin. */
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Klaxon: {{COUNT}} open alerts</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 15px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f8f8f8; color: #1d1c1d; }
header { background: #8b1a1a; color: #fff; padding: 10px 20px; font-weight: 700; }
main { max-width: 760px; margin: 16px auto; padding: 0 12px; }
#notice { min-height: 1.4em; margin: 8px 0; }
.message { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.header { margin: 0 0 8px; font-size: 18px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 6px 16px; margin: 8px 0; }
.context { color: #616061; font-size: 13px; margin: 6px 0; }
pre { background: #f4f4f4; border: 1px solid #e0e0e0; padding: 8px; white-space: pre-wrap; word-break: break-all; }
code { background: #f4f4f4; border: 1px solid #e0e0e0; padding: 0 3px; border-radius: 3px; }
.actions { margin-top: 8px; display: flex; gap: 8px; }
button, select { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid #bbb; background: #fff; cursor: pointer; }
button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.mention { background: #e8f5fa; color: #1264a3; padding: 0 2px; border-radius: 3px; }
</style></head>
<body><header>🚨 Klaxon: alerts as Slack would show them ({{COUNT}} open)</header>
<main><div id="notice" role="status"></div>
{{MESSAGES}}
</main>
<script>
const token = "{{TOKEN}}";
async function act(actionId, value) {
  const response = await fetch("/actions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token, action_id: actionId, value }) });
  const answer = await response.json();
  sessionStorage.setItem("klaxon-notice", answer.notice || answer.error || "");
  location.reload();
}
document.getElementById("notice").innerHTML = sessionStorage.getItem("klaxon-notice") || "";
sessionStorage.removeItem("klaxon-notice");
for (const button of document.querySelectorAll("button[data-action-id]")) button.addEventListener("click", () => act(button.dataset.actionId, button.dataset.value));
for (const select of document.querySelectorAll("select[data-action-id]")) select.addEventListener("change", () => select.value && act(select.dataset.actionId, select.value));
</script></body></html>
`;
