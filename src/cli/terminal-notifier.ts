/**
 * The notifier when no Slack token is set: each alert is printed as a person reads it (the
 * same text `klaxon scan --format pretty` shows), and updates and thread replies as one line each.
 */
import type { AlertView, Notifier } from '../alerts/notifier';
import { renderAlert } from '../slack/render';
import { plural } from '../slack/status';
import { messageToText } from '../slack/text';
import type { TemplateSet } from '../slack/templates';
import { write } from './io';
import { alertPretty } from './output';
import { terminalSafe } from './terminal-safe';

export const TERMINAL_CHANNEL = 'terminal';

export class TerminalNotifier implements Notifier {
  private posted = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly templates: TemplateSet,
  ) {}

  async post(channel: string, view: AlertView): Promise<{ channel: string; ts: string }> {
    const text = messageToText(renderAlert(view.alert, this.templates, { status: view.status }));
    await write(this.out, alertPretty(view.alert, text));
    return { channel, ts: `local.${++this.posted}` };
  }

  async update(_channel: string, ts: string, view: AlertView): Promise<void> {
    const { alert } = view;
    const state = view.status.acknowledged !== undefined ? ' · acknowledged' : view.status.silenced !== undefined ? ' · silenced' : '';
    const line = `   ↻ ${alert.title} (${ts}): now ${plural(alert.count, 'event')}, last seen ${new Date(alert.lastSeen).toISOString()}${state}`;
    await write(this.out, `${terminalSafe(line)}\n`);
  }

  /** A printed alert is never in doubt: there is nothing to look for. */
  async find(): Promise<undefined> {
    return undefined;
  }

  async reply(_channel: string, threadTs: string, text: string): Promise<void> {
    await write(this.out, `${terminalSafe(`   ↳ (${threadTs}) ${text}`)}\n`);
  }
}
