import type { Alert } from '../engine/alert';
import { renderAlert } from '../slack/render';
import type { TemplateSet } from '../slack/templates';
import { postMessageArguments } from '../slack/post-message';
import { write, type CliIo } from './io';
import { alertForTerminal, alertJson, type EvidenceDetail } from './output';

/** What `klaxon scan` prints per alert: the JSON contract, the text a person reads, or the Slack payload. */
export type AlertFormat = 'json' | 'pretty' | 'blocks';

/** Prints alerts as the engine closes them, so a long scan shows results early and holds only open alerts. */
export class AlertWriter {
  private pending: Alert[] = [];
  written = 0;

  constructor(
    private readonly io: CliIo,
    private readonly format: AlertFormat,
    private readonly templates: TemplateSet,
    private readonly evidence: EvidenceDetail = 'short',
    /** The channel an alert goes to when its rule names none (SLACK_CHANNEL), for `blocks`. */
    private readonly defaultChannel = '$SLACK_CHANNEL',
  ) {}

  add(alert: Alert): void {
    this.pending.push(alert);
  }

  flush(): Promise<void> | void {
    if (this.pending.length === 0) return;
    let text = '';
    for (const alert of this.pending) {
      text += this.line(alert);
    }
    this.written += this.pending.length;
    this.pending = [];
    return write(this.io.stdout, text);
  }

  private line(alert: Alert): string {
    if (this.format === 'json') return `${JSON.stringify(alertJson(alert))}\n`;
    const message = renderAlert(alert, this.templates);
    if (this.format === 'pretty') return alertForTerminal(alert, message, this.evidence);
    // Exactly what chat.postMessage would receive for this alert.
    return `${JSON.stringify(postMessageArguments(alert.slack.channel ?? this.defaultChannel, message, { fingerprint: alert.fingerprint, sequence: alert.sequence }))}\n`;
  }
}
