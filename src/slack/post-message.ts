/**
 * What Klaxon sends with chat.postMessage, as plain data: shared by the Slack client, which
 * sends it, and `klaxon scan --format blocks`, which prints it (without loading the Slack SDK).
 */
import type { SlackMessage } from './render';

/** Slack message metadata naming the alert a message shows, so that a message whose posting was in doubt can be found. */
export const ALERT_METADATA_EVENT = 'klaxon_alert';

export interface AlertMetadata {
  fingerprint: string;
  sequence: number;
}

/** The arguments of the chat.postMessage call that posts `message`: link and media previews off, the alert as metadata. */
export function postMessageArguments(channel: string, message: SlackMessage, alert?: AlertMetadata) {
  const metadata = alert === undefined ? {} : { metadata: { event_type: ALERT_METADATA_EVENT, event_payload: { fingerprint: alert.fingerprint, sequence: alert.sequence } } };
  return { channel, text: message.text, ...(message.blocks.length === 0 ? {} : { blocks: message.blocks }), unfurl_links: false, unfurl_media: false, ...metadata };
}
