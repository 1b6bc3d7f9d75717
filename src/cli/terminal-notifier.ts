/**
 * The notifier when no Slack token is set: each alert is printed as a person reads it (the
 * same text `klaxon scan --format pretty` shows), and updates and thread replies as one line each.
 */
import type { AlertView, Notifier } from '../alerts/notifier';
import { renderAlert } from '../slack/render';
import { plural } from '../slack/status';
import type { TemplateSet } from '../slack/templates';
import { write } from './io';
import { alertForTerminal } from './output';
import { terminalSafe } from './terminal-safe';

export const TERMINAL_CHANNEL = 'terminal';

export class TerminalNotifier implements Notifier {
  private posted = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly templates: TemplateSet,
  ) {}

  async post(channel: string, view: AlertView): Promise<{ channel: string; ts: string }> {
    const message = renderAlert(view.alert, this.templates, { status: view.status });
    const ts = `local.${++this.posted}`;
    await write(this.out, alertForTerminal(view.alert, message, 'short', false).replace(/^━━ /, `━━ [${ts}] `));
    return { channel, ts };
  }

  async update(_channel: string, ts: string, view: AlertView): Promise<void> {
    const { alert } = view;
    const state = view.status.acknowledged !== undefined ? ' · acknowledged' : view.status.silenced !== undefined ? ' · silenced' : '';
    // The alert printed earlier as [ts] has changed: as its Slack message would be edited in place.
    const line = `   ↻ [${ts}] updated: ${alert.title} now counts ${plural(alert.count, 'event')}, last seen ${new Date(alert.lastSeen).toISOString()}${state}`;
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
