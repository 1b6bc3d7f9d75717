/** Delivers alerts to Slack: renders each view with its template and posts or updates it. */
import type { WebClient } from '@slack/web-api';
import type { AlertView, Notifier, SendOptions } from '../alerts/notifier';
import type { Alert } from '../engine/alert';
import { findAlertMessage, postMessage, postThreadReply, updateMessage, type PostedMessage } from './client';
import { renderAlert, renderMinimal, type RenderOptions, type SlackMessage } from './render';
import type { TemplateSet } from './templates';

export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
    private readonly templates: TemplateSet,
    private readonly render: Omit<RenderOptions, 'status'> = {},
  ) {}

  async post(channel: string, view: AlertView, options: SendOptions = {}): Promise<PostedMessage> {
    return postMessage(this.client, channel, this.message(view, options), { fingerprint: view.alert.fingerprint, sequence: view.alert.sequence });
  }

  async update(channel: string, ts: string, view: AlertView, options: SendOptions = {}): Promise<void> {
    await updateMessage(this.client, channel, ts, this.message(view, options));
  }

  async reply(channel: string, threadTs: string, text: string): Promise<void> {
    await postThreadReply(this.client, channel, threadTs, text);
  }

  async find(channel: string, since: number, alert: Pick<Alert, 'fingerprint' | 'sequence'>): Promise<PostedMessage | undefined> {
    return findAlertMessage(this.client, channel, since, alert);
  }

  private message(view: AlertView, options: SendOptions): SlackMessage {
    const render = options.fallback === true ? renderMinimal : renderAlert;
    return render(view.alert, this.templates, { ...this.render, status: view.status });
  }
}
