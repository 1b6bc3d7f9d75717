/**
 * The Slack secrets on Lambda: SecureString parameters in SSM Parameter Store, named (never
 * valued) by the function's environment, read with Powertools' SSM provider and cached for
 * SECRET_MAX_AGE_SECONDS, so a rotated token is picked up within minutes without an SSM call
 * per invocation.
 */
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';

export const SECRET_MAX_AGE_SECONDS = 300;

/** The environment variables that name the parameters. */
export const BOT_TOKEN_PARAMETER_VAR = 'KLAXON_BOT_TOKEN_PARAMETER';
export const SIGNING_SECRET_PARAMETER_VAR = 'KLAXON_SIGNING_SECRET_PARAMETER';

type SecretVar = typeof BOT_TOKEN_PARAMETER_VAR | typeof SIGNING_SECRET_PARAMETER_VAR;

/** A secret that cannot be read: says which parameter and how to fix it, never a value. */
export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

let provider: SSMProvider | undefined;

/** Reads the SecureString named by `env[variable]`, decrypted, from the cache when fresh. */
export async function readSecret(variable: SecretVar, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const name = env[variable]?.trim();
  if (name === undefined || name === '') throw new SecretUnavailableError(`${variable} is not set: it names the SSM parameter that holds the secret (serverless.yml sets it)`);
  provider ??= new SSMProvider();
  let value: string | undefined;
  try {
    value = await provider.get(name, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS });
  } catch (error) {
    throw new SecretUnavailableError(`cannot read SSM parameter ${name}: ${causeOf(error)}${fixFor(error, name)}`);
  }
  if (value === undefined || value.trim() === '') throw new SecretUnavailableError(`SSM parameter ${name} is empty`);
  return value.trim();
}

function innerError(error: unknown): { name?: string; message?: string } {
  return ((error as { cause?: unknown }).cause ?? error) as { name?: string; message?: string };
}

/** The SDK's error name and message (they name the parameter and the refused action, never its value). */
function causeOf(error: unknown): string {
  const { name, message } = innerError(error);
  const text = [name, message?.replace(/\.+$/, '')].filter((part) => part !== undefined && part !== '').join(': ');
  return text || String(innerError(error));
}

/** What to do about it, when the cause says. */
function fixFor(error: unknown, parameter: string): string {
  const { name } = innerError(error);
  if (name === 'ParameterNotFound') return `. Create it with: aws ssm put-parameter --type SecureString --name ${parameter} --value ...`;
  if (name === 'AccessDeniedException') return `. The function's role may read this stage's parameters only, and decrypt with kmsKeyArn from the stage config only: a parameter under your own KMS key needs kmsKeyArn set`;
  if (name === 'CredentialsProviderError') return '. The Lambda runtime provides credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN: this environment has none';
  return '';
}

/** Forgets cached values (tests). */
export function resetSecretCache(): void {
  provider = undefined;
}
