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

/** How a message is sent: `fallback` asks for the minimal rendering, after Slack refused the full one. */
export interface SendOptions {
  fallback?: boolean;
}

export interface Notifier {
  /**
   * Posts a new message, carrying the alert's fingerprint and sequence as message metadata
   * (so that `find` can tell later whether an attempt landed); resolves to the channel id and
   * ts to update it by. Rejects with a {@link DeliveryFailure} (any other error is read as
   * `unsure`: it may have been shown) when the message was not shown.
   */
  post(channel: string, view: AlertView, options?: SendOptions): Promise<{ channel: string; ts: string }>;
  /** Rewrites a posted message in place (count, last seen, state). Rejects like `post`. */
  update(channel: string, ts: string, view: AlertView, options?: SendOptions): Promise<void>;
  /** Adds a line to the message's thread: who acknowledged or silenced it. `text` is mrkdwn Klaxon wrote. */
  reply(channel: string, threadTs: string, text: string): Promise<void>;
  /**
   * Looks for a message an earlier attempt may have posted for this alert, since `since`
   * (epoch ms). Undefined when there is none; rejects when the lookup itself failed.
   */
  find(channel: string, since: number, alert: Pick<Alert, 'fingerprint' | 'sequence'>): Promise<{ channel: string; ts: string } | undefined>;
}

/**
 * What a failed delivery means for the message:
 * - `not-sent`: it provably did not reach Slack (refused connection, DNS, 429, 5xx): try again later;
 * - `unsure`: it may have reached Slack (a timeout or a dropped connection after sending): look before posting again;
 * - `refused`: Slack refused this message (invalid_blocks, msg_too_long, channel_not_found, ...): try the minimal rendering, else park it;
 * - `blocked`: nothing can be delivered until someone acts (invalid_auth, missing_scope, ...): try again later, loudly.
 */
export type FailureKind = 'not-sent' | 'unsure' | 'refused' | 'blocked';

export class DeliveryFailure extends Error {
  override name = 'DeliveryFailure';
  constructor(
    message: string,
    readonly kind: FailureKind,
    /** Slack's error code or `http_503`, `request_failed`... */
    readonly code: string,
    /** Slack's Retry-After, in ms, when it gave one. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any error a notifier threw, as a DeliveryFailure; an unknown error may have happened after sending, so it counts as unsure. */
export function asDeliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryFailure(message, 'unsure', 'error', undefined, { cause: error });
}
