/**
 * `klaxon member-template --stage S [--out DIR]`: writes the CloudFormation templates a central
 * stage's members need (see src/deploy/member.ts), from the same `deploy/<stage>.yml`:
 * `klaxon-S-member.json` for every member account and region (a StackSet over the OU), and
 * `klaxon-S-destination.json` for the central account's other member regions. Offline: no AWS call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeployConfigError, loadStageConfig, STAGE_NAME, STAGE_NAME_RULE, stageConfigDir } from '../deploy/config';
import { destinationTemplate, memberTemplate, MemberTemplateError } from '../deploy/member';
import { stageNames } from '../deploy/names';
import { destinationRegions } from '../deploy/organization-config';
import { EXIT_FAILED, EXIT_OK, UsageError, write, type CliIo } from './io';
import { shownPath } from './doctor';

export const MEMBER_TEMPLATE_USAGE = 'klaxon member-template --stage S [--out DIR]   (writes DIR/klaxon-S-member.json and DIR/klaxon-S-destination.json; DIR defaults to .klaxon/S)';

export async function memberTemplateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: { stage: { type: 'string' }, out: { type: 'string' } } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const stage = values.stage;
  if (stage === undefined) throw new UsageError('--stage is required: the central stage whose deploy/<stage>.yml has an organization: section');
  if (!STAGE_NAME.test(stage)) throw new UsageError(`--stage must be ${STAGE_NAME_RULE}, not "${stage}"`);
  let written: { member: string; destination: string };
  let regions: string[];
  let home: string;
  try {
    const { config, file } = loadStageConfig(stage, { dir: stageConfigDir(io.env ?? process.env), allowExample: false });
    const names = stageNames(stage, config);
    const member = memberTemplate(config, names, shownPath(file));
    const destination = destinationTemplate(config, names, shownPath(file));
    const out = values.out ?? join('.klaxon', stage);
    mkdirSync(out, { recursive: true });
    written = { member: join(out, `klaxon-${stage}-member.json`), destination: join(out, `klaxon-${stage}-destination.json`) };
    writeFileSync(written.member, `${JSON.stringify(member, null, 2)}\n`);
    writeFileSync(written.destination, `${JSON.stringify(destination, null, 2)}\n`);
    const organization = config.organization as NonNullable<typeof config.organization>;
    home = organization.homeRegion;
    regions = destinationRegions(organization);
  } catch (err) {
    if (err instanceof DeployConfigError) {
      await write(io.stderr, `klaxon member-template: ${err.message}\n`);
      return EXIT_FAILED;
    }
    if (err instanceof MemberTemplateError) {
      await write(io.stderr, `klaxon member-template: ${err.message}\n`);
      return EXIT_FAILED;
    }
    throw err;
  }
  const others = regions.filter((r) => r !== home);
  await write(
    io.stdout,
    [
      `wrote ${written.member}: deploy it in every member account and region (${regions.join(', ')}), for example as a StackSet over the OU`,
      `wrote ${written.destination}: deploy it in the central account in ${others.length === 0 ? 'no region (every member region is the home region)' : others.join(', ')}`,
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}
