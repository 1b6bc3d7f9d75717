/**
 * AWS Control Tower's proactive controls (CloudFormation Guard rules) over the real packaged
 * templates: every failure is one the README lists, with its reason, and nothing the README
 * lists passes by now (the list stays true both ways).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardFailures, type GuardFailure } from '../helpers/cfn-guard';
import { serverlessPackage } from '../helpers/lambda-package';
import { runCli } from '../cli/helpers';

/** Every guardrail option set: what remains failing is what no option can fix. */
const HARDENED_CONFIG = `
slack: { channel: "#sec-alerts" }
logGroups: { ssh: [/prod/bastion/auth.log], waf: [aws-waf-logs-edge], cloudtrail: aws-cloudtrail-logs-123456789012 }
alarms: { topicKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/22222222-2222-3333-4444-555555555555" }
tags: { team: security }
permissionsBoundary: arn:aws:iam::123456789012:policy/OrgBoundary
cfnRole: arn:aws:iam::123456789012:role/klaxon-cloudformation
deploymentBucket: org-deployments-eu-west-1
logKmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/33333333-2222-3333-4444-555555555555
cloudtrail: { createTrail: true, kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/44444444-2222-3333-4444-555555555555" }
`;

/** Every guardrail option set, and a central account for member accounts. */
const ORGANIZATION_CONFIG = `${HARDENED_CONFIG}
organization:
  centralAccount: "123456789012"
  homeRegion: eu-west-1
  id: o-a1b2c3d4e5
  memberRegions: [eu-west-1, us-east-1]
  logGroups: { ssh: [/org/auth.log], waf: [aws-waf-logs-org], cloudtrail: aws-cloudtrail-logs-org }
`;

/** The shipped example's choices, plus a trail of the stack's own. */
const TRAIL_CONFIG = `${readFileSync(join(__dirname, '..', '..', 'deploy', 'example.yml'), 'utf8')}\ncloudtrail: { createTrail: true }\n`;

/** One row of the README's table: a control, the resources it fails on, the option that fixes it (if one does). */
interface ListedFailure {
  control: string;
  resources: string[];
  fixedBy?: string;
  table: Table;
}

/** The README's tables: the stack as always deployed, what the trail adds, what `organization:` adds (central stack and member templates). */
type Table = 'stack' | 'trail' | 'organization';

/**
 * The tables under "Control Tower's proactive controls" in the README: `stack` the first (the
 * stack as always deployed), `trail` the one after "With `cloudtrail: { createTrail: true }`"
 * (what the trail adds), `organization` the one after "With `organization:`".
 */
function listedFailures(table: Table = 'stack'): ListedFailure[] {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = /^### [^\n]*Control Tower's proactive controls\n([\s\S]*?)(?=^##)/m.exec(readme)?.[1];
  if (section === undefined) throw new Error("README has no section on Control Tower's proactive controls");
  const [stackPart = '', ...rest] = section.split(/^(?=With `(?:cloudtrail: \{ createTrail: true \}|organization:)`)/m);
  const part = table === 'stack' ? stackPart : (rest.find((p) => p.startsWith(table === 'trail' ? 'With `cloudtrail' : 'With `organization')) ?? '');
  const rows = part.split('\n').filter((line) => /^\| `?CT\./.test(line));
  return rows.map((line) => {
    const [control = '', resources = '', fixedBy = ''] = line.split('|').slice(1).map((cell) => cell.trim());
    return {
      control: control.replace(/`/g, ''),
      resources: [...resources.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1] as string),
      fixedBy: /`([A-Za-z.]+)`/.exec(fixedBy)?.[1],
      table,
    };
  });
}

/** `CT.X.PR.n Resource` pairs, once each, sorted. */
function pairs(failures: ReadonlyArray<Pick<GuardFailure, 'control' | 'resource'>>): string[] {
  return [...new Set(failures.map((f) => `${f.control} ${f.resource}`))].sort();
}

function listedPairs(rows: readonly ListedFailure[]): string[] {
  return pairs(rows.flatMap((row) => row.resources.map((resource) => ({ control: row.control, resource }))));
}

let dir: string;
const templates = (out: string, files: string[]) => files.map((f) => join(out, f));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'klaxon-guard-'));
  writeFileSync(join(dir, 'hardened.yml'), HARDENED_CONFIG);
  writeFileSync(join(dir, 'trail.yml'), TRAIL_CONFIG);
  writeFileSync(join(dir, 'org.yml'), ORGANIZATION_CONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the README lists each failure once, with its reason', () => {
  const rows = [...listedFailures('stack'), ...listedFailures('trail'), ...listedFailures('organization')];
  expect(listedFailures('trail').length).toBeGreaterThan(0);
  expect(listedFailures('organization').length).toBeGreaterThan(0);
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(row.resources.length).toBeGreaterThan(0);
  expect(listedPairs(rows)).toHaveLength(rows.reduce((n, row) => n + row.resources.length, 0));
});

test('with every guardrail option set, only the failures no option fixes remain, each listed', async () => {
  const out = join(dir, 'out-hardened');
  await serverlessPackage({ stage: 'hardened', out, deployDir: dir, region: 'eu-west-1' });
  // A named deployment bucket: osls writes no stack-creation template (it would only create the bucket).
  const failures = guardFailures(templates(out, ['cloudformation-template-update-stack.json']));
  const unfixable = [...listedFailures('stack'), ...listedFailures('trail')].filter((row) => row.fixedBy === undefined);
  expect(pairs(failures)).toEqual(listedPairs(unfixable));
}, 300_000);

test('the shipped example (no options) fails exactly the listed controls, in both templates osls writes', async () => {
  const out = join(dir, 'out-example');
  // No deploy/ex.yml in dir: the shipped example stands in.
  await serverlessPackage({ stage: 'ex', out, deployDir: dir, region: 'eu-west-1' });
  const failures = guardFailures(templates(out, ['cloudformation-template-update-stack.json', 'cloudformation-template-create-stack.json']));
  expect(pairs(failures)).toEqual(listedPairs(listedFailures()));
  const rows = listedFailures();
  for (const row of rows.filter((r) => r.fixedBy !== undefined)) expect(['deploymentBucket', 'logKmsKeyArn']).toContain(row.fixedBy);
}, 300_000);

test("the example with createTrail adds exactly the trail's listed failures", async () => {
  const out = join(dir, 'out-trail');
  await serverlessPackage({ stage: 'trail', out, deployDir: dir, region: 'eu-west-1' });
  const failures = guardFailures(templates(out, ['cloudformation-template-update-stack.json', 'cloudformation-template-create-stack.json']));
  expect(pairs(failures)).toEqual(listedPairs([...listedFailures('stack'), ...listedFailures('trail')]));
  for (const row of listedFailures('trail').filter((r) => r.fixedBy !== undefined)) expect(row.fixedBy).toBe('cloudtrail.kmsKeyArn');
}, 300_000);

test("a central account (organization:), hardened: the central stack and both member templates fail exactly the listed controls", async () => {
  const out = join(dir, 'out-org');
  await serverlessPackage({ stage: 'org', out, deployDir: dir, region: 'eu-west-1' });
  const written = await runCli(['member-template', '--stage', 'org', '--out', out], { env: { KLAXON_DEPLOY_DIR: dir } });
  expect(written.code).toBe(0);
  const failures = guardFailures(templates(out, ['cloudformation-template-update-stack.json', 'klaxon-org-member.json', 'klaxon-org-destination.json']));
  const listed = [...listedFailures('stack'), ...listedFailures('trail'), ...listedFailures('organization')];
  expect(pairs(failures)).toEqual(listedPairs(listed.filter((row) => row.fixedBy === undefined)));
  // The member templates pass every control.
  expect(failures.filter((f) => !f.template.endsWith('cloudformation-template-update-stack.json'))).toEqual([]);
}, 300_000);

test("organization: without the options adds exactly the organisation table's rows", async () => {
  writeFileSync(join(dir, 'orgex.yml'), `${TRAIL_CONFIG}${ORGANIZATION_CONFIG.slice(ORGANIZATION_CONFIG.indexOf('organization:'))}`);
  const out = join(dir, 'out-orgex');
  await serverlessPackage({ stage: 'orgex', out, deployDir: dir, region: 'eu-west-1' });
  const failures = guardFailures(templates(out, ['cloudformation-template-update-stack.json', 'cloudformation-template-create-stack.json']));
  expect(pairs(failures)).toEqual(listedPairs([...listedFailures('stack'), ...listedFailures('trail'), ...listedFailures('organization')]));
}, 300_000);
