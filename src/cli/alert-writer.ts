import type { Alert } from '../engine/alert';
import { renderAlert } from '../slack/render';
import { messageToText } from '../slack/text';
import type { TemplateSet } from '../slack/templates';
import { write, type CliIo } from './io';
import { alertJson, alertPretty } from './output';

/** Prints alerts as the engine closes them, so a long scan shows results early and holds only open alerts. */
export class AlertWriter {
  private pending: Alert[] = [];
  written = 0;

  constructor(
    private readonly io: CliIo,
    private readonly format: 'json' | 'pretty',
    private readonly templates: TemplateSet,
  ) {}

  add(alert: Alert): void {
    this.pending.push(alert);
  }

  flush(): Promise<void> | void {
    if (this.pending.length === 0) return;
    let text = '';
    for (const alert of this.pending) {
      text += this.format === 'json' ? `${JSON.stringify(alertJson(alert))}\n` : alertPretty(alert, messageToText(renderAlert(alert, this.templates)));
    }
    this.written += this.pending.length;
    this.pending = [];
    return write(this.io.stdout, text);
  }
}
