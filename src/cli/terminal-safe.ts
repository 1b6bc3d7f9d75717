import { showInvisible } from '../slack/escape';

/**
 * Log text is attacker-controlled: printed raw, an escape sequence in a username or a
 * User-Agent could clear the screen, retitle the window or hide lines. Control characters
 * (C0 but newline, DEL, C1) are shown as visible `\xNN` / `\u00NN` escapes instead, and
 * bidi overrides and zero-width characters as `\u202E` and the like.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return showInvisible(text).replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
