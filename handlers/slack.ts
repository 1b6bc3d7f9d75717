/**
 * Slack interactivity and `/klaxon` behind the HTTP API route `POST /slack/events`: Bolt's
 * AWS Lambda receiver verifies the signature, runs the handler (state writes and message
 * updates included) and only then answers, because Lambda freezes after the response.
 */
import packagedRules from 'klaxon:packaged-rules';
import type { Context } from 'aws-lambda';
import type { AwsEvent, AwsResponse } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';
import { interactionHandler } from '../src/lambda/interactions';
import { createRuntime } from '../src/lambda/runtime';
import { precheckSlackRequest } from '../src/lambda/slack-precheck';
import { logger } from '../src/lambda/telemetry';

const runtime = createRuntime(packagedRules);

export async function handler(event: AwsEvent, context: Context): Promise<AwsResponse> {
  logger.addContext(context);
  const precheck = precheckSlackRequest(event);
  if (!precheck.forward) {
    if (precheck.refused !== undefined) {
      logger.info('request refused before signature verification', { reason: precheck.refused, sourceIp: event.requestContext?.http?.sourceIp ?? event.requestContext?.identity?.sourceIp });
    }
    return precheck.response;
  }
  return (await interactionHandler(runtime))(event, context);
}
