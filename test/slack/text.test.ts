import { renderAlert } from '../../src/slack/render';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/slack/templates';
import { messageToText } from '../../src/slack/text';
import { alert, sshEvent } from './helpers';

const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);

describe('messageToText', () => {
  it('reads like the message: header, sections, fields, context, sample, links, buttons', () => {
    const sample = sshEvent({ 'aws.cloudwatch.log_group': '/var/log/secure', 'cloud.region': 'eu-west-1' });
    const message = renderAlert(alert({ samples: [sample], runbook: 'https://runbooks.example/ssh?a=1&b=2', slack: { mention: ['@here', 'U024BE7LH', 'S0614TZR7'] } }), templates);
    expect(messageToText(message)).toBe(
      [
        '🟠 HIGH: SSH login by deploy from 192.0.2.7',
        'Accepted publickey login for deploy',
        'Someone logged in over SSH.',
        'Rule: `ssh-login` · Severity: high',
        'cc @here @U024BE7LH @S0614TZR7',
        'User: deploy',
        'Source: 192.0.2.7 port 52144',
        'Host: bastion-1',
        'Method: publickey',
        'Result: Accepted',
        'Process: sshd[4242]',
        'Count: 3 · First seen: 2024-03-03T10:15:00.000Z · Last seen: 2024-03-03T10:20:00.000Z',
        'Sample event:',
        '    Mar  3 10:15:00 bastion-1 sshd[4242]: Accepted publickey for deploy from 192.0.2.7 port 52144 ssh2',
        'CloudWatch Logs (https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fvar$252Flog$252Fsecure) · Runbook (https://runbooks.example/ssh?a=1&b=2)',
        '[Acknowledge] [Silence ▾ 1h 4h 24h 7d rule:1h rule:4h rule:24h rule:7d]',
      ].join('\n'),
    );
  });

  it('turns entities back into the characters the log had', () => {
    const sample = sshEvent({ 'user.name': '<!channel> & <@U1>', 'event.original': 'a ``` <b> &lt; c' });
    const text = messageToText(renderAlert(alert({ title: 'x < y & z', samples: [sample] }), templates));
    expect(text).toContain('🟠 HIGH: x < y & z');
    expect(text).toContain('User: <!channel> & <@U1>');
    expect(text).toContain('    a ``` <b> &lt; c');
  });

  it('shows a multi-line sample indented line by line', () => {
    const text = messageToText(renderAlert(alert({ samples: [sshEvent({ 'event.original': 'one\ntwo' })] }), templates));
    expect(text).toContain('Sample event:\n    one\n    two\n');
  });
});
