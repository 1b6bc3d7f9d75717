import type { AlertView, Notifier } from '../../src/alerts/notifier';

/** Records what the lifecycle asks to show; can be told to fail, like Slack being down. */
export class RecordingNotifier implements Notifier {
  readonly posts: Array<{ channel: string; ts: string; view: AlertView }> = [];
  readonly updates: Array<{ channel: string; ts: string; view: AlertView }> = [];
  readonly replies: Array<{ channel: string; threadTs: string; text: string }> = [];
  failing = false;
  /** Lookups of possibly posted messages (`find`) so far. */
  lookups = 0;

  async post(channel: string, view: AlertView): Promise<{ channel: string; ts: string }> {
    if (this.failing) throw new Error('Slack chat.postMessage failed: http_500');
    const ts = `1700000000.${String(this.posts.length + 1).padStart(6, '0')}`;
    this.posts.push({ channel, ts, view });
    return { channel: `C-${channel}`, ts };
  }

  async update(channel: string, ts: string, view: AlertView): Promise<void> {
    if (this.failing) throw new Error('Slack chat.update failed: http_500');
    this.updates.push({ channel, ts, view });
  }

  async reply(channel: string, threadTs: string, text: string): Promise<void> {
    this.replies.push({ channel, threadTs, text });
  }

  async find(channel: string, since: number, alert: { fingerprint: string; sequence: number }): Promise<{ channel: string; ts: string } | undefined> {
    const found = this.posts.find((p) => `C-${p.channel}` === `C-${channel.replace(/^C-/, '')}` && p.view.alert.fingerprint === alert.fingerprint && p.view.alert.sequence === alert.sequence);
    void since;
    this.lookups++;
    return found === undefined ? undefined : { channel: `C-${found.channel}`, ts: found.ts };
  }
}
