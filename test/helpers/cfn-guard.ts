/**
 * AWS CloudFormation Guard with AWS Control Tower's proactive-control rules, both as the npm
 * package @cdklabs/cdk-validator-cfnguard ships them (the `cfn-guard` binary per platform and
 * the rule files), run over packaged templates.
 *
 * @example
 *   const failures = guardFailures(['.serverless/cloudformation-template-update-stack.json']);
 *   // [{ control: 'CT.LAMBDA.PR.3', rule: 'lambda_inside_vpc_check', resource: 'LogsLambdaFunction', template: '…' }, …]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

const PACKAGE = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const CONTROL_TOWER_RULES = join(PACKAGE, 'rules', 'control-tower', 'cfn-guard');

/** The binary for this machine: the package ships Linux (ubuntu) and macOS builds for x86_64 and aarch64. */
export function guardBinary(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'darwin' ? 'macos' : platform === 'linux' ? 'ubuntu' : undefined;
  const cpu = arch === 'arm64' ? 'aarch64' : arch === 'x64' ? 'x86_64' : undefined;
  if (os === undefined || cpu === undefined) throw new Error(`@cdklabs/cdk-validator-cfnguard ships no cfn-guard for ${platform}/${arch}`);
  return join(PACKAGE, 'bin', os, cpu, 'cfn-guard');
}

/** One resource of one template that one control's rule finds not compliant. */
export interface GuardFailure {
  template: string;
  /** The Control Tower control id, such as `CT.S3.PR.1`. */
  control: string;
  /** The guard rule's name, such as `s3_bucket_versioning_enabled_check`. */
  rule: string;
  /** The logical id of the resource. */
  resource: string;
}

interface FileReport {
  name: string;
  not_compliant: Array<{ Rule: { name: string } }>;
}

/** Runs guard over the templates; every non-compliant (control, resource) pair, per template. */
export function guardFailures(templates: readonly string[]): GuardFailure[] {
  const args = ['validate', '--rules', CONTROL_TOWER_RULES, ...templates.flatMap((t) => ['--data', t]), '--show-summary', 'none', '--output-format', 'json', '--structured'];
  const run = spawnSync(guardBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // cfn-guard exits 19 when some rule fails, 0 when all pass; anything else is an error of its own.
  if (run.status !== 0 && run.status !== 19) throw new Error(`cfn-guard exited ${run.status}: ${run.stderr}${run.stdout.slice(0, 2000)}`);
  const reports = JSON.parse(run.stdout) as FileReport[];
  const failures: GuardFailure[] = [];
  for (const report of reports) {
    for (const { Rule } of report.not_compliant) {
      // The report nests clauses deeply; what matters is where each failing check traversed to, and the control id in its message.
      const text = JSON.stringify(Rule);
      const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1] ?? Rule.name;
      const resources = new Set([...text.matchAll(/"path":"\/Resources\/([A-Za-z0-9]+)/g)].map((m) => m[1] as string));
      for (const resource of resources) failures.push({ template: report.name, control, rule: Rule.name, resource });
    }
  }
  return failures;
}
