/** Delivers alerts to Slack: renders each view with its template and posts or updates it. */
import type { WebClient } from '@slack/web-api';
import type { AlertView, Notifier } from '../alerts/notifier';
import { postMessage, postThreadReply, updateMessage } from './client';
import { renderAlert, type RenderOptions } from './render';
import type { TemplateSet } from './templates';

export class SlackNotifier implements Notifier {
  constructor(
    private readonly client: WebClient,
    private readonly templates: TemplateSet,
    private readonly render: Omit<RenderOptions, 'status'> = {},
  ) {}

  async post(channel: string, view: AlertView): Promise<{ channel: string; ts: string }> {
    return postMessage(this.client, channel, this.message(view));
  }

  async update(channel: string, ts: string, view: AlertView): Promise<void> {
    await updateMessage(this.client, channel, ts, this.message(view));
  }

  async reply(channel: string, threadTs: string, text: string): Promise<void> {
    await postThreadReply(this.client, channel, threadTs, text);
  }

  private message(view: AlertView) {
    return renderAlert(view.alert, this.templates, { ...this.render, status: view.status });
  }
}
