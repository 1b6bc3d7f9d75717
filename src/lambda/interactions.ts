import { parseAllowedUsers } from '../slack/allowed-users';
import { createLambdaInteractionApp, type LambdaHandler } from '../slack/bolt-app';
import { boltLogger } from './bolt-logger';
import { lifecycleFor, type Runtime } from './runtime';
import { readSecret, SIGNING_SECRET_PARAMETER_VAR } from './secrets';
import { logger } from './telemetry';

let current: { key: string; handler: LambdaHandler } | undefined;

/**
 * The Bolt handler for the current secrets: built on the first request of a container and
 * again only when the bot token or signing secret has been rotated in SSM.
 */
export async function interactionHandler(runtime: Runtime): Promise<LambdaHandler> {
  const [slack, signingSecret] = await Promise.all([runtime.slack(), readSecret(SIGNING_SECRET_PARAMETER_VAR, runtime.env)]);
  const key = `${slack.token}\n${signingSecret}`;
  if (current?.key !== key) {
    const apiUrl = runtime.env.SLACK_API_URL?.trim();
    const { handler } = createLambdaInteractionApp({
      botToken: slack.token,
      signingSecret,
      ...(apiUrl ? { apiUrl } : {}),
      logger: boltLogger(logger),
      deps: {
        store: runtime.store,
        lifecycle: lifecycleFor(runtime, slack, runtime.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'interactions'),
        notifier: slack.notifier,
        rules: runtime.rules,
        allowedUsers: parseAllowedUsers(runtime.env.KLAXON_ALLOWED_USERS),
        log: (line) => logger.error(line),
      },
    });
    current = { key, handler };
  }
  return current.handler;
}
