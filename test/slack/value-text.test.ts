import { valueText } from '../../src/slack/value-text';

describe('valueText', () => {
  it('reads scalars and lists as text', () => {
    expect(valueText(undefined)).toBe('');
    expect(valueText(null)).toBe('');
    expect(valueText(22)).toBe('22');
    expect(valueText(false)).toBe('false');
    expect(valueText(['tcp/22', 'tcp/3389'])).toBe('tcp/22, tcp/3389');
  });

  it('reads security-group permissions as words', () => {
    expect(
      valueText([
        { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0' },
        { direction: 'ingress', protocol: 'all', from_port: null, to_port: null, ipv6_cidr: '::/0' },
        { direction: 'egress', protocol: 'udp', from_port: 1000, to_port: 2000, group_id: 'sg-1', description: 'dns' },
      ]),
    ).toBe('ingress tcp/22 from 0.0.0.0/0, ingress all from ::/0, egress udp/1000-2000 to sg-1 (dns)');
  });

  it('reads other objects as key=value pairs', () => {
    expect(valueText({ a: 1, b: ['x', 'y'] })).toBe('a=1 b=x, y');
  });
});
