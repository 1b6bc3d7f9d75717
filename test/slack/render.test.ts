import type { Alert } from '../../src/engine/alert';
import { ACKNOWLEDGE_ACTION_ID, SILENCE_ACTION_ID } from '../../src/slack/actions';
import type { ActionsBlock, ContextBlock, SectionBlock } from '../../src/slack/blocks';
import { renderAlert } from '../../src/slack/render';
import type { SlackMessage } from '../../src/slack/render';
import { DEFAULT_TEMPLATES_DIR, loadTemplates, templateSet } from '../../src/slack/templates';
import { FIRST_SEEN, alert, event, limitViolations, sshEvent } from './helpers';

const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);

function fieldTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' ? (b.fields ?? []).map((f) => f.text) : []));
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
}

function contextTexts(message: SlackMessage): string[] {
  return message.blocks.filter((b): b is ContextBlock => b.type === 'context').flatMap((b) => b.elements.map((e) => e.text));
}

function actions(message: SlackMessage): ActionsBlock | undefined {
  return message.blocks.find((b): b is ActionsBlock => b.type === 'actions');
}

describe('renderAlert: layout', () => {
  it('starts with a header of severity and title', () => {
    const message = renderAlert(alert(), templates);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '🟠 HIGH: SSH login by deploy from 192.0.2.7', emoji: false } });
  });

  it('puts the summary, description, rule id and severity in the first section', () => {
    const [main] = sectionTexts(renderAlert(alert(), templates));
    expect(main).toBe('Accepted publickey login for deploy\nSomeone logged in over SSH.\nRule: `ssh-login` · Severity: high');
  });

  it('shows the ssh template fields from group fields and the first sample', () => {
    expect(fieldTexts(renderAlert(alert(), templates))).toEqual([
      '*User*\ndeploy',
      '*Source*\n192.0.2.7 port 52144',
      '*Host*\nbastion-1',
      '*Method*\npublickey',
      '*Result*\nAccepted',
      '*Process*\nsshd[4242]',
    ]);
  });

  it('prefers the group field value over the sample', () => {
    const message = renderAlert(alert({ fields: { 'user.name': 'grouped' } }), templates);
    expect(fieldTexts(message)).toContain('*User*\ngrouped');
  });

  it('omits a field whose placeholders are all empty and falls back through alternatives', () => {
    const sample = sshEvent({ 'source.port': null, 'host.hostname': '' });
    const message = renderAlert(alert({ samples: [sample], fields: {} }), templates);
    const fields = fieldTexts(message);
    expect(fields).toContain('*Source*\n192.0.2.7');
    expect(fields.some((f) => f.startsWith('*Host*'))).toBe(false);
  });

  it('shows a dash for one empty placeholder among filled ones', () => {
    const custom = templateSet([{ name: 'ssh', file: 'x', fields: [{ label: 'Login', value: ['{{user.name}} via {{system.auth.ssh.method}}'] }] }]);
    const message = renderAlert(alert({ samples: [sshEvent({ 'system.auth.ssh.method': '' })] }), custom);
    expect(fieldTexts(message)).toEqual(['*Login*\ndeploy via —']);
  });

  it('shows count, first seen and last seen as Slack dates with ISO fallbacks', () => {
    const [seen] = contextTexts(renderAlert(alert(), templates));
    const unix = FIRST_SEEN / 1000;
    expect(seen).toBe(
      `Count: 3 · First seen: <!date^${unix}^{date_short_pretty} {time_secs}|2024-03-03T10:15:00.000Z> · ` +
        `Last seen: <!date^${unix + 300}^{date_short_pretty} {time_secs}|2024-03-03T10:20:00.000Z>`,
    );
  });

  it('shows the first sample event in a code block', () => {
    const sections = sectionTexts(renderAlert(alert(), templates));
    expect(sections).toContain('*Sample event*\n```\nMar  3 10:15:00 bastion-1 sshd[4242]: Accepted publickey for deploy from 192.0.2.7 port 52144 ssh2\n```');
  });

  it('leaves out the sample when the event has no event.original', () => {
    const message = renderAlert(alert({ samples: [sshEvent({ 'event.original': null })] }), templates);
    expect(sectionTexts(message).some((t) => t.includes('```'))).toBe(false);
  });

  it('ends with Acknowledge and Silence carrying the fingerprint', () => {
    const message = renderAlert(alert(), templates);
    expect(message.blocks[message.blocks.length - 1]).toEqual({
      type: 'actions',
      block_id: 'klaxon_actions:5f2b8c1d9e0a4b7c',
      elements: [
        {
          type: 'button',
          action_id: ACKNOWLEDGE_ACTION_ID,
          text: { type: 'plain_text', text: 'Acknowledge', emoji: true },
          value: '5f2b8c1d9e0a4b7c',
          style: 'primary',
        },
        {
          type: 'static_select',
          action_id: SILENCE_ACTION_ID,
          placeholder: { type: 'plain_text', text: 'Silence', emoji: true },
          options: [
            { text: { type: 'plain_text', text: '1 hour', emoji: true }, value: '1h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: '4 hours', emoji: true }, value: '4h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: '24 hours', emoji: true }, value: '24h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: '7 days', emoji: true }, value: '7d:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: 'Whole rule, 1 hour', emoji: true }, value: 'rule/1h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: 'Whole rule, 4 hours', emoji: true }, value: 'rule/4h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: 'Whole rule, 24 hours', emoji: true }, value: 'rule/24h:5f2b8c1d9e0a4b7c' },
            { text: { type: 'plain_text', text: 'Whole rule, 7 days', emoji: true }, value: 'rule/7d:5f2b8c1d9e0a4b7c' },
          ],
        },
      ],
    });
  });

  it('replaces the buttons with a note when the fingerprint is too long for Slack values', () => {
    const message = renderAlert(alert({ fingerprint: 'f'.repeat(500) }), templates);
    expect(actions(message)).toBeUndefined();
    expect(contextTexts(message).pop()).toMatch(/unavailable/);
    expect(limitViolations(message)).toEqual([]);
  });

  it('gives a short plain notification text', () => {
    expect(renderAlert(alert(), templates).text).toBe('HIGH: SSH login by deploy from 192.0.2.7 (ssh-login)');
  });

  it('marks every mrkdwn text verbatim so Slack adds no links or mentions itself', () => {
    const message = renderAlert(alert({ slack: { mention: ['@here'] } }), templates);
    const mrkdwn = message.blocks.flatMap((b) =>
      b.type === 'section' ? [...(b.text ? [b.text] : []), ...(b.fields ?? [])] : b.type === 'context' ? b.elements : [],
    );
    expect(mrkdwn.length).toBeGreaterThan(4);
    for (const m of mrkdwn) expect(m).toMatchObject({ type: 'mrkdwn', verbatim: true });
  });
});

describe('renderAlert: template choice', () => {
  const named = (name: string) => templateSet([{ name, file: `${name}.yml`, fields: [{ label: 'From', value: [name] }] }]);
  const both = templateSet([
    { name: 'ssh', file: 'ssh.yml', fields: [{ label: 'From', value: ['ssh'] }] },
    { name: 'generic', file: 'generic.yml', fields: [{ label: 'From', value: ['generic'] }] },
    { name: 'custom', file: 'custom.yml', fields: [{ label: 'From', value: ['custom'] }] },
  ]);

  it('uses the rule’s template first', () => {
    expect(fieldTexts(renderAlert(alert({ slack: { template: 'custom', mention: [] } }), both))).toEqual(['*From*\ncustom']);
  });

  it('then the template named after the first source', () => {
    expect(fieldTexts(renderAlert(alert(), both))).toEqual(['*From*\nssh']);
  });

  it('then generic', () => {
    expect(fieldTexts(renderAlert(alert({ sources: ['waf'], slack: { template: 'nope', mention: [] } }), both))).toEqual(['*From*\ngeneric']);
  });

  it('still renders when no template exists at all', () => {
    const message = renderAlert(alert(), named('unrelated'));
    expect(fieldTexts(message)).toEqual([]);
    expect(limitViolations(message)).toEqual([]);
    expect(actions(message)).toBeDefined();
  });
});

describe('renderAlert: evidence links', () => {
  it('links the CloudWatch Logs stream with the console’s $252F encoding', () => {
    const sample = sshEvent({ 'aws.cloudwatch.log_group': '/var/log/secure', 'aws.cloudwatch.log_stream': 'i-0abc123/secure', 'cloud.region': 'eu-west-1' });
    const links = contextTexts(renderAlert(alert({ samples: [sample] }), templates))[1];
    expect(links).toBe(
      '<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fvar$252Flog$252Fsecure/log-events/i-0abc123$252Fsecure|CloudWatch Logs>',
    );
  });

  it('uses the default region when the events carry none', () => {
    const sample = sshEvent({ 'aws.cloudwatch.log_group': '/var/log/secure' });
    expect(contextTexts(renderAlert(alert({ samples: [sample] }), templates))).toHaveLength(1);
    const links = contextTexts(renderAlert(alert({ samples: [sample] }), templates, { defaultRegion: 'us-east-2' }))[1];
    expect(links).toBe('<https://us-east-2.console.aws.amazon.com/cloudwatch/home?region=us-east-2#logsV2:log-groups/log-group/$252Fvar$252Flog$252Fsecure|CloudWatch Logs>');
  });

  it('links the CloudTrail event in event history', () => {
    const ct = cloudTrailAlert();
    const links = contextTexts(renderAlert(ct, templates))[1];
    expect(links).toContain('<https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6b7ee7b8-6a3b-4b49-a2f5-6d0c0e0e4c9a|CloudTrail event>');
  });

  it('links the WAF web ACL', () => {
    const arn = 'arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/shop-acl/a1b2c3d4-5678-90ab-cdef-111122223333';
    const sample = event('waf', { 'aws.waf.web_acl.id': arn, 'source.ip': '203.0.113.9', 'event.action': 'BLOCK' });
    const links = contextTexts(renderAlert(alert({ sources: ['waf'], samples: [sample] }), templates))[1];
    expect(links).toBe(
      '<https://eu-central-1.console.aws.amazon.com/wafv2/homev2/web-acl/shop-acl/a1b2c3d4-5678-90ab-cdef-111122223333/overview?region=eu-central-1|WAF web ACL>',
    );
  });

  it('links the runbook, escaping & in its URL', () => {
    const links = contextTexts(renderAlert(alert({ runbook: 'https://runbooks.example/ssh?team=ops&level=2' }), templates))[1];
    expect(links).toBe('<https://runbooks.example/ssh?team=ops&amp;level=2|Runbook>');
  });

  it('shows a runbook that is not an http(s) URL as text, not as a link', () => {
    const links = contextTexts(renderAlert(alert({ runbook: 'javascript:alert(1) <!channel>' }), templates))[1];
    expect(links).toBe('Runbook: javascript:alert(1) &lt;!channel&gt;');
  });

  it('builds no link from a region that is not a region name', () => {
    const sample = sshEvent({ 'aws.cloudwatch.log_group': '/x', 'cloud.region': 'eu-west-1|<!channel>' });
    expect(contextTexts(renderAlert(alert({ samples: [sample] }), templates))).toHaveLength(1);
  });
});

describe('renderAlert: mentions', () => {
  it('writes the rule’s mentions as Slack markup', () => {
    const message = renderAlert(alert({ slack: { mention: ['@here', '@channel', 'U024BE7LH', 'W0123ABCD', 'S0614TZR7', '<!subteam^S999|@oncall>'] } }), templates);
    expect(sectionTexts(message)).toContain('cc <!here> <!channel> <@U024BE7LH> <@W0123ABCD> <!subteam^S0614TZR7> <!subteam^S999|@oncall>');
  });

  it('adds no mention section when the rule mentions no one', () => {
    expect(sectionTexts(renderAlert(alert(), templates)).some((t) => t.startsWith('cc '))).toBe(false);
  });
});

describe('renderAlert: source templates', () => {
  it('renders a WAF block', () => {
    const sample = event('waf', {
      'source.ip': '203.0.113.9',
      'source.geo.country_iso_code': 'NL',
      'url.path': '/wp-login.php',
      'url.original': '/wp-login.php?redirect=1',
      'http.request.method': 'POST',
      'http.request.headers': { host: 'shop.example', 'user-agent': 'curl/8.0' },
      'rule.id': 'AWSManagedRulesCommonRuleSet',
      'rule.ruleset': 'MANAGED_RULE_GROUP',
      'event.action': 'BLOCK',
      'aws.waf.web_acl.name': 'shop-acl',
      'event.original': '{"action":"BLOCK"}',
    });
    const message = renderAlert(alert({ rule: 'waf-block', sources: ['waf'], samples: [sample], fields: {} }), templates);
    expect(sectionTexts(message)[0]).toMatch(/^BLOCK POST \/wp-login\.php\n/);
    expect(fieldTexts(message)).toEqual([
      '*Client IP*\n203.0.113.9',
      '*Country*\nNL',
      '*URI*\n/wp-login.php?redirect=1',
      '*Method*\nPOST',
      '*Host*\nshop.example',
      '*Rule*\nAWSManagedRulesCommonRuleSet (MANAGED_RULE_GROUP)',
      '*Action*\nBLOCK',
      '*Web ACL*\nshop-acl',
    ]);
  });

  it('renders a security-group change with its normalized permissions and world-open ports', () => {
    const message = renderAlert(cloudTrailAlert(), templates);
    expect(fieldTexts(message)).toEqual([
      '*Event*\nAuthorizeSecurityGroupIngress',
      '*Actor*\nalice (IAMUser)',
      '*Source IP*\n198.51.100.23',
      '*Security group*\nsg-0123456789abcdef0',
      '*Open to the world*\ntcp/22',
      '*Permissions*\ningress tcp/22 from 0.0.0.0/0, ingress tcp/443-445 from 10.0.0.0/8 (office)',
      '*Account*\n123456789012 (us-east-1)',
    ]);
  });

  it('reads raw CloudTrail paths when the normalized field is absent', () => {
    const ct = cloudTrailAlert();
    const sample = ct.samples[0];
    if (sample === undefined) throw new Error('no sample');
    const fields = { ...sample.fields };
    delete fields['aws.security_group.id'];
    const message = renderAlert({ ...ct, samples: [{ ...sample, fields }] }, templates);
    expect(fieldTexts(message)).toContain('*Security group*\nsg-raw');
  });

  it('splits more than 10 fields into several sections', () => {
    const many = templateSet([{ name: 'ssh', file: 'x', fields: Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: [`v${i}`] })) }]);
    const message = renderAlert(alert(), many);
    const sections = message.blocks.filter((b): b is SectionBlock => b.type === 'section' && b.fields !== undefined);
    expect(sections.map((s) => s.fields?.length)).toEqual([10, 10, 3]);
    expect(limitViolations(message)).toEqual([]);
  });

  it('keeps within 50 blocks, buttons last, however many fields a template has', () => {
    const huge = templateSet([{ name: 'ssh', file: 'x', fields: Array.from({ length: 600 }, (_, i) => ({ label: `F${i}`, value: [`v${i}`] })) }]);
    const message = renderAlert(alert(), huge);
    expect(message.blocks).toHaveLength(50);
    expect(message.blocks[49]?.type).toBe('actions');
    expect(contextTexts(message).pop()).toMatch(/blocks omitted/);
    expect(limitViolations(message)).toEqual([]);
  });
});

function cloudTrailAlert(): Alert {
  const sample = event(
    'cloudtrail',
    {
      'event.action': 'AuthorizeSecurityGroupIngress',
      'event.id': '6b7ee7b8-6a3b-4b49-a2f5-6d0c0e0e4c9a',
      'event.provider': 'ec2.amazonaws.com',
      'user.name': 'alice',
      'aws.cloudtrail.user_identity.type': 'IAMUser',
      'source.ip': '198.51.100.23',
      'cloud.account.id': '123456789012',
      'cloud.region': 'us-east-1',
      'aws.security_group.id': 'sg-0123456789abcdef0',
      'aws.security_group.open_ports': ['tcp/22'],
      'aws.security_group.open_to_world': true,
      'aws.security_group.permissions': [
        { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'tcp', from_port: 443, to_port: 445, cidr: '10.0.0.0/8', description: 'office' },
      ],
      'event.original': '{"eventName":"AuthorizeSecurityGroupIngress"}',
    },
    { eventName: 'AuthorizeSecurityGroupIngress', requestParameters: { groupId: 'sg-raw' } },
  );
  return alert({ rule: 'sg-open-to-world', title: 'Security group opened to the world', sources: ['cloudtrail'], samples: [sample], fields: {} });
}
