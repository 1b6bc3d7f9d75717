/** What a person needs to hear when AWS refuses a call: which setting or permission to fix. */

export interface AwsCallContext {
  /** The IAM action of the call, e.g. `logs:FilterLogEvents`. */
  action: string;
  region: string;
  /** What the call named, for "not found": `log group "/prod/auth"`. */
  resource?: string;
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnauthorizedException', 'NotAuthorized']);
const BAD_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'IncompleteSignature',
]);
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export const CREDENTIALS_HINT = 'set AWS_PROFILE to a profile in ~/.aws/config (after `aws sso login` for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
export const REGION_HINT = 'set AWS_REGION (or pass --region, or give your AWS_PROFILE a region)';

/**
 * One line about an AWS failure, naming the fix; undefined when the error is not an AWS or
 * network failure (a bug, to be thrown on).
 */
export function describeAwsError(err: unknown, context: AwsCallContext): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const name = err.name;
  const detail = err.message;
  const { action, region } = context;
  if (name === 'ResourceNotFoundException') return `${context.resource ?? 'the resource'} was not found in region ${region} (${detail})`;
  if (ACCESS_DENIED.has(name)) return `access denied: the AWS identity needs permission for ${action} in region ${region} (${detail})`;
  if (BAD_CREDENTIALS.has(name)) return `AWS did not accept the credentials (${name}: ${detail}): ${CREDENTIALS_HINT}`;
  if (name === 'CredentialsProviderError') return `no AWS credentials found: ${CREDENTIALS_HINT}`;
  if (/region is missing/i.test(detail)) return `no AWS region: ${REGION_HINT}`;
  if (isThrottling(err)) return `AWS kept throttling ${action} after retries: try again later, or replay a shorter time range (${detail})`;
  const code = (err as { code?: unknown }).code;
  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || name === 'TimeoutError') return `could not reach AWS for ${action} in region ${region}: ${detail}`;
  if ('$metadata' in err) return `AWS refused ${action} in region ${region}: ${name}: ${detail}`;
  return undefined;
}

/** True when AWS refused the call for want of an IAM permission. */
export function isAccessDenied(err: unknown): boolean {
  return err instanceof Error && ACCESS_DENIED.has(err.name);
}

/** True when `err` means AWS cannot be used at all from here: no or bad credentials, no region, no network. */
export function isSessionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    BAD_CREDENTIALS.has(err.name) ||
    err.name === 'CredentialsProviderError' ||
    err.name === 'TimeoutError' ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    /region is missing/i.test(err.message)
  );
}

/** True for AWS saying "slow down", however the service spells it. */
export function isThrottling(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429) return true;
  return typeof e.name === 'string' && THROTTLING.has(e.name);
}
