/**
 * Links to where an alert's evidence lives in the AWS console. Every part taken from an event
 * is checked (region, ARN) or percent-encoded, so the URL cannot break out of Slack's
 * `<url|label>` markup.
 */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The console origin for a region, by partition; undefined when the text is not a region name. */
function consoleOrigin(region: string): string | undefined {
  if (!REGION.test(region)) return undefined;
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/**
 * The CloudWatch console's own encoding for path parts after `#logsV2:`: percent-encoded twice,
 * then `%` written as `$` (`/aws/ssh` becomes `$252Faws$252Fssh`).
 */
export function cloudWatchConsoleEncode(text: string): string {
  return encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
}

/** The log group (and stream, when known) in the CloudWatch Logs console. */
export function cloudWatchLogsUrl(region: string, logGroup: string, logStream?: string): string | undefined {
  const origin = consoleOrigin(region);
  if (origin === undefined || logGroup === '') return undefined;
  const group = `${origin}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${cloudWatchConsoleEncode(logGroup)}`;
  return logStream === undefined || logStream === '' ? group : `${group}/log-events/${cloudWatchConsoleEncode(logStream)}`;
}

/** One event in CloudTrail event history. */
export function cloudTrailEventUrl(region: string, eventId: string): string | undefined {
  const origin = consoleOrigin(region);
  if (origin === undefined || eventId === '') return undefined;
  return `${origin}/cloudtrail/home?region=${region}#/events/${encodeURIComponent(eventId)}`;
}

/** One alarm in the CloudWatch console (its name percent-encoded: names may hold spaces, `/`, `|`). */
export function cloudWatchAlarmUrl(region: string, alarmName: string): string | undefined {
  const origin = consoleOrigin(region);
  if (origin === undefined || alarmName === '') return undefined;
  return `${origin}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

// arn:aws:wafv2:us-east-1:123456789012:regional/webacl/NAME/ID (scope `global` for CloudFront)
const WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:([a-z0-9-]+):\d{12}:(regional|global)\/webacl\/([\w-]{1,128})\/([0-9a-f-]{36})$/;

/** The web ACL's overview page in the WAF console, from its ARN (the `webaclId` of a WAF log). */
export function wafWebAclUrl(webAclArn: string): string | undefined {
  const m = WEB_ACL_ARN.exec(webAclArn);
  if (m === null) return undefined;
  const [, region = '', scope, name = '', id = ''] = m;
  const origin = consoleOrigin(region);
  if (origin === undefined) return undefined;
  const consoleRegion = scope === 'global' ? 'global' : region;
  return `${origin}/wafv2/homev2/web-acl/${name}/${id}/overview?region=${consoleRegion}`;
}

/**
 * A URL from configuration (a rule's runbook) made safe for `<url|label>`: http(s) only, and
 * with the characters that end the markup percent-encoded. Undefined when it is not such a URL.
 */
export function safeLinkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return parsed.href.replace(/[|<>\s]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}
