import fc from 'fast-check';
import type { FieldValue } from '../../src/events/event';
import { TRUNCATION_MARKER } from '../../src/slack/limits';
import { renderAlert } from '../../src/slack/render';
import type { SlackMessage } from '../../src/slack/render';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/slack/templates';
import { alert, displayedTexts, event, hasBrokenEntity, hasLoneSurrogate, limitViolations, sshEvent, withoutKlaxonMarkup } from './helpers';

const { templates } = loadTemplates(DEFAULT_TEMPLATES_DIR);

const INJECTIONS = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U024BE7LH>',
  '<#C024BE7LR>',
  '<!subteam^S0614TZR7>',
  '<https://evil.example|click here>',
  '<http://evil.example>',
  '<mailto:x@evil.example|mail>',
  '&lt;!channel&gt;',
];

/** Fails with the offending text when any injected markup survived rendering. */
function expectNoInjectedMarkup(message: SlackMessage, mentions: readonly string[] = []): void {
  for (const text of withoutKlaxonMarkup(message, mentions)) {
    expect(text).not.toMatch(/[<>]/);
    expect(hasBrokenEntity(text)).toBe(false);
  }
}

describe('hostile log values', () => {
  it.each(INJECTIONS)('cannot inject %s through any field, the title, the description or the sample', (payload) => {
    const sample = sshEvent({
      'user.name': payload,
      'source.ip': payload,
      'host.hostname': payload,
      'system.auth.ssh.method': payload,
      'system.auth.ssh.event': payload,
      'event.original': `sshd[1]: Accepted password for ${payload} from 192.0.2.7`,
    });
    const message = renderAlert(
      alert({ title: `SSH login by ${payload}`, description: `by ${payload}`, rule: 'ssh-login', samples: [sample], fields: { 'user.name': payload } }),
      templates,
    );
    expectNoInjectedMarkup(message);
    expect(JSON.stringify(message)).not.toContain(payload);
  });

  it('shows a literal &lt; as written, not as <', () => {
    const message = renderAlert(alert({ fields: { 'user.name': 'a&lt;b' } }), templates);
    expect(JSON.stringify(message)).toContain('a&amp;lt;b');
  });

  it('keeps a 10 KB URI within the field limit, marked as truncated', () => {
    const uri = '/search?q=' + '<!channel>'.repeat(1024);
    const sample = event('waf', { 'source.ip': '203.0.113.9', 'url.original': uri, 'url.path': '/search', 'event.original': JSON.stringify({ uri }) });
    const message = renderAlert(alert({ sources: ['waf'], samples: [sample], fields: {} }), templates);
    expect(limitViolations(message)).toEqual([]);
    const uriField = message.blocks.flatMap((b) => (b.type === 'section' ? b.fields ?? [] : [])).find((f) => f.text.startsWith('*URI*'));
    expect(uriField?.text.endsWith(TRUNCATION_MARKER)).toBe(true);
    expectNoInjectedMarkup(message);
  });

  it('cannot close the sample code block early', () => {
    const sample = sshEvent({ 'event.original': 'x ```\n<!channel> *bold* ``` ````' });
    const message = renderAlert(alert({ samples: [sample] }), templates);
    const code = displayedTexts(message).find((t) => t.startsWith('*Sample event*')) ?? '';
    expect(code.match(/```/g)).toHaveLength(2);
    expectNoInjectedMarkup(message);
  });

  it('cuts a long title of emoji without splitting a surrogate pair', () => {
    for (let pad = 0; pad < 3; pad++) {
      const message = renderAlert(alert({ title: 'x'.repeat(pad) + '😀'.repeat(200) }), templates);
      for (const text of displayedTexts(message)) expect(hasLoneSurrogate(text)).toBe(false);
      expect(limitViolations(message)).toEqual([]);
    }
  });

  it('cuts a long title of & without breaking an entity', () => {
    for (let pad = 0; pad < 5; pad++) {
      const message = renderAlert(alert({ title: 'x'.repeat(pad) + '&'.repeat(400), description: '<'.repeat(5000) }), templates);
      for (const text of displayedTexts(message)) expect(hasBrokenEntity(text)).toBe(false);
      expect(limitViolations(message)).toEqual([]);
    }
  });

  it('escapes the fallback text too', () => {
    expect(renderAlert(alert({ title: '<!channel> alert' }), templates).text).toBe('HIGH: &lt;!channel&gt; alert (ssh-login)');
  });
});

describe('property: any field values', () => {
  const fragment = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS, '```', '&', '<', '>', '|', '&amp;', '😀', '\n', '*', '`') },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1000, maxLength: 6000 }) },
  );
  const hostile = fc.array(fragment, { maxLength: 8 }).map((parts) => parts.join(''));
  const FIELDS = [
    'user.name',
    'source.ip',
    'source.port',
    'source.address',
    'host.hostname',
    'system.auth.ssh.event',
    'system.auth.ssh.method',
    'url.path',
    'url.original',
    'http.request.method',
    'source.geo.country_iso_code',
    'rule.id',
    'event.action',
    'event.id',
    'event.original',
    'cloud.region',
    'cloud.account.id',
    'aws.cloudwatch.log_group',
    'aws.cloudwatch.log_stream',
    'aws.waf.web_acl.id',
    'aws.waf.web_acl.name',
    'aws.security_group.id',
    'aws.security_group.open_ports',
  ];
  const fieldValues = fc.record(Object.fromEntries(FIELDS.map((f) => [f, hostile])) as Record<string, fc.Arbitrary<string>>, {
    requiredKeys: [],
  });
  const source = fc.constantFrom('ssh' as const, 'waf' as const, 'cloudtrail' as const);
  const MENTIONS = ['@here', 'U024BE7LH'];

  it('renders no markup but Klaxon’s own, and keeps every text within its limit', () => {
    fc.assert(
      fc.property(source, fieldValues, hostile, hostile, (src, fields, title, description) => {
        const values: Record<string, FieldValue> = {};
        for (const [key, value] of Object.entries(fields)) if (value !== undefined) values[key] = value;
        const message = renderAlert(
          alert({
            title,
            description,
            sources: [src],
            fields: { 'user.name': values['user.name'] ?? 'x' },
            samples: [event(src, values)],
            runbook: 'https://runbooks.example/r',
            slack: { mention: MENTIONS },
          }),
          templates,
        );
        expectNoInjectedMarkup(message, ['<!here>', '<@U024BE7LH>']);
        expect(limitViolations(message)).toEqual([]);
        for (const text of displayedTexts(message)) expect(hasLoneSurrogate(text)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
