/**
 * A captured Slack request replayed within its five-minute signature window is signed all the
 * same: it must change nothing the second time. Each interaction is named by what Slack puts
 * in it once (the user, the trigger id, and for a button or menu the action's own timestamp
 * and id), remembered in the state store for twice the window, and a repeat is acknowledged
 * and dropped. Works alike on every receiver (HTTP, Socket Mode, Lambda).
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { StateStore } from '../store/types';
import { SIGNATURE_WINDOW_SECONDS } from './request-guard';

/** How long an interaction is remembered: past the signature window in which it could be replayed. */
export const INTERACTION_MEMORY_MS = 2 * SIGNATURE_WINDOW_SECONDS * 1000;

/** The interaction's name, or undefined for a body that carries none (then it is not deduplicated). */
export function interactionKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const trigger = typeof b.trigger_id === 'string' ? b.trigger_id : undefined;
  if (trigger === undefined) return undefined;
  if (b.type === 'block_actions') {
    const user = (b.user as { id?: unknown } | undefined)?.id;
    const action = Array.isArray(b.actions) ? (b.actions[0] as { action_ts?: unknown; action_id?: unknown } | undefined) : undefined;
    return `interaction:${String(user)}:${trigger}:${String(action?.action_id)}:${String(action?.action_ts)}`;
  }
  if (typeof b.command === 'string') return `interaction:${String(b.user_id)}:${trigger}:${b.command}`;
  return undefined;
}

/** Bolt middleware: acknowledges and drops an interaction seen before. */
export function replayGuard(store: StateStore, now: () => number = Date.now): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = interactionKey(args.body);
    if (key === undefined) return args.next();
    const at = now();
    if ((await store.findProcessedInputs([key], at)).has(key)) {
      args.logger.warn(`dropped a repeated Slack interaction (${key.split(':').slice(0, 2).join(':')}…): a replay changes nothing`);
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    await store.markInputsProcessed([key], at + INTERACTION_MEMORY_MS);
    await args.next();
  };
}
