import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '@aws-lambda-powertools/logger';

/** Bolt's logger interface over the Powertools logger, so Bolt's lines are structured JSON like the rest. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const text = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...msg: unknown[]) => logger.debug(text(msg), { source: 'bolt' }),
    info: (...msg: unknown[]) => logger.info(text(msg), { source: 'bolt' }),
    warn: (...msg: unknown[]) => logger.warn(text(msg), { source: 'bolt' }),
    error: (...msg: unknown[]) => logger.error(text(msg), { source: 'bolt' }),
    setLevel: (next: LogLevel) => void (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}
