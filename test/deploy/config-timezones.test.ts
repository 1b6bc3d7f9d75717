/**
 * Issue 11, part 4: an SSH log group may name the zone its hosts write RFC3164 timestamps in
 * (`{ name, timezone }` next to the plain names); the functions get them as KLAXON_LOG_GROUP_TIMEZONES.
 */
import { parseStageConfig } from '../../src/deploy/config';
import { logGroupRoutes, logGroupTimeZones } from '../../src/deploy/config-parts';
import { organizationFunctions } from '../../src/deploy/organization';
import { logsEvents, metricLogGroups, stageSettings } from '../../src/deploy/stack';
import { stageNames } from '../../src/deploy/names';
import { stageConfigProblems } from '../helpers/stage-config';

const CONFIG = `slack: {channel: "#sec"}
logGroups:
  ssh:
    - /prod/bastion/auth.log
    - name: /prod/berlin/auth.log
      timezone: Europe/Berlin
    - { name: /prod/ny/secure, timezone: America/New_York }
  waf: [aws-waf-logs-edge]
`;

describe('logGroups.ssh with a timezone', () => {
  const config = parseStageConfig('deploy/prod.yml', CONFIG);

  it('routes, subscribes and filters every SSH group by its name, zoned or not', () => {
    expect(logGroupRoutes(config.logGroups)).toEqual([
      { logGroup: '/prod/bastion/auth.log', source: 'ssh' },
      { logGroup: '/prod/berlin/auth.log', source: 'ssh' },
      { logGroup: '/prod/ny/secure', source: 'ssh' },
      { logGroup: 'aws-waf-logs-edge', source: 'waf' },
    ]);
    expect(logsEvents(config).map((e) => e.cloudwatchLog.logGroup)).toEqual(['/prod/bastion/auth.log', '/prod/berlin/auth.log', '/prod/ny/secure', 'aws-waf-logs-edge']);
    expect(metricLogGroups(config, 'failedSshLogins')).toEqual(['/prod/bastion/auth.log', '/prod/berlin/auth.log', '/prod/ny/secure']);
  });

  it('hands the zones to the functions as KLAXON_LOG_GROUP_TIMEZONES (groups without one stay UTC)', () => {
    expect(logGroupTimeZones(config.logGroups)).toEqual([
      { logGroup: '/prod/berlin/auth.log', timeZone: 'Europe/Berlin' },
      { logGroup: '/prod/ny/secure', timeZone: 'America/New_York' },
    ]);
    const settings = stageSettings(config, stageNames('prod', config));
    expect(settings.logGroupTimeZones).toBe('/prod/berlin/auth.log=Europe/Berlin,/prod/ny/secure=America/New_York');
    expect(settings.logGroupSources).toBe('/prod/bastion/auth.log=ssh,/prod/berlin/auth.log=ssh,/prod/ny/secure=ssh,aws-waf-logs-edge=waf');
  });

  it("gives the kinesis function the member accounts' zones", () => {
    const central = parseStageConfig(
      'deploy/prod.yml',
      `slack: {channel: "#sec"}\norganization:\n  centralAccount: "111111111111"\n  homeRegion: eu-west-1\n  id: o-abcdef1234\n  logGroups:\n    ssh: [{ name: /members/auth.log, timezone: Asia/Tokyo }]\n`,
    );
    const kinesis = organizationFunctions(central).kinesis as { environment: Record<string, string> };
    expect(kinesis.environment).toMatchObject({ KLAXON_LOG_GROUP_SOURCES: '/members/auth.log=ssh', KLAXON_LOG_GROUP_TIMEZONES: '/members/auth.log=Asia/Tokyo' });
  });

  it('rejects a zone that is not an IANA name, a misspelt key and a group listed twice, each located', () => {
    const text = 'slack: {channel: "#sec"}\nlogGroups:\n  ssh:\n    - { name: /a, timezone: CEST }\n    - { name: /b, tz: UTC }\n    - /c\n    - { name: /c, timezone: UTC }\n';
    expect(stageConfigProblems(text)).toEqual([
      'deploy/prod.yml:4:29: logGroups.ssh[0].timezone: an IANA time zone name such as UTC, Europe/Berlin or America/New_York [BAD_VALUE]',
      'deploy/prod.yml:5:7: logGroups.ssh[1]: missing required key "timezone" [MISSING_KEY]',
      'deploy/prod.yml:5:19: logGroups.ssh[1]: unknown key "tz"; allowed keys: name, timezone [UNKNOWN_KEY]',
    ]);
    expect(stageConfigProblems('slack: {channel: "#sec"}\nlogGroups:\n  ssh:\n    - /c\n    - { name: /c, timezone: UTC }\n')).toEqual([
      expect.stringMatching(/logGroups\.ssh\[1\]: log group "\/c" is already listed under logGroups\.ssh; list each log group once/),
    ]);
  });
});
