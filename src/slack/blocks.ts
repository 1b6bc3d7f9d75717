/**
 * The few Block Kit shapes Klaxon sends, typed just enough to keep rendering honest.
 * (Slack's own `@slack/types` would do, but it is not a dependency of this package.)
 */
import { SLACK_LIMITS, truncate } from './limits';

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  /** true: Slack does not auto-link bare URLs, channel names or mentions in the text. */
  verbatim?: boolean;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: Mrkdwn;
  fields?: Mrkdwn[];
  accessory?: ButtonElement;
}

export interface DividerBlock {
  type: 'divider';
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  elements: Array<PlainText | Mrkdwn>;
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
}

export interface SelectOption {
  text: PlainText;
  value: string;
}

export interface StaticSelectElement {
  type: 'static_select';
  action_id: string;
  placeholder: PlainText;
  options: SelectOption[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id: string;
  elements: Array<ButtonElement | StaticSelectElement>;
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** A plain_text object, truncated to `limit`; `emoji: false` where it holds log text, so `:skull:` shows as typed. */
export function plainText(text: string, limit: number, emoji = true): PlainText {
  return { type: 'plain_text', text: truncate(text, limit), emoji };
}

/**
 * A mrkdwn object, truncated to `limit`. `text` must already be escaped: only markup that
 * Klaxon writes may remain in it. Verbatim, so that Slack adds no links or mentions of its own.
 */
export function mrkdwn(text: string, limit: number = SLACK_LIMITS.sectionText): Mrkdwn {
  return { type: 'mrkdwn', text: truncate(text, limit), verbatim: true };
}
