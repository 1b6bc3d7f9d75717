/**
 * Where alerts go: Slack when a bot token is set, the terminal otherwise. The lifecycle
 * decides what to post and update; a notifier only shows it.
 */
import type { Alert } from '../engine/alert';
import type { MessageStatus } from '../slack/status';

/** An alert as one message shows it, with its acknowledgement, silence and suppressed count. */
export interface AlertView {
  alert: Alert;
  status: MessageStatus;
}

export interface Notifier {
  /** Posts a new message; resolves to the channel id and ts to update it by. Rejects when delivery failed for good. */
  post(channel: string, view: AlertView): Promise<{ channel: string; ts: string }>;
  /** Rewrites a posted message in place (count, last seen, state). */
  update(channel: string, ts: string, view: AlertView): Promise<void>;
  /** Adds a line to the message's thread: who acknowledged or silenced it. `text` is mrkdwn Klaxon wrote. */
  reply(channel: string, threadTs: string, text: string): Promise<void>;
}
