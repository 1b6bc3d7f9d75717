/**
 * The stage's account directory (deploy/<stage>.yml `accounts:`), built into the bundle as the
 * constant KLAXON_ACCOUNT_DIRECTORY (serverless.yml `custom.esbuild.define`): a few hundred
 * accounts would not fit in Lambda's 4 KB of environment variables.
 */
import type { AccountDirectoryData } from '../sources/accounts';

declare const KLAXON_ACCOUNT_DIRECTORY: AccountDirectoryData | undefined;

/** The directory the bundle was built with; outside a bundle, a global of that name if one is set (tests), else none. */
export function packagedAccounts(): AccountDirectoryData {
  return typeof KLAXON_ACCOUNT_DIRECTORY === 'undefined' ? {} : KLAXON_ACCOUNT_DIRECTORY;
}
