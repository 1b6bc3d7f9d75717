import fc from 'fast-check';
import {
  SENSITIVE_PORTS,
  isWorldCidr,
  normalizeProtocol,
  securityGroupFields,
  securityGroupPermissions,
} from '../../src/sources/security-group';

/** A CloudTrail record for an EC2 call, with only what the security-group logic reads. */
function call(eventName: string, requestParameters: unknown, responseElements: unknown = null): Record<string, unknown> {
  return { eventSource: 'ec2.amazonaws.com', eventName, requestParameters, responseElements };
}

/** requestParameters of an Authorize/Revoke call in the items form, with one permission. */
function itemsForm(permission: Record<string, unknown>): Record<string, unknown> {
  return { groupId: 'sg-0123456789abcdef0', ipPermissions: { items: [{ groups: {}, ipRanges: {}, ipv6Ranges: {}, prefixListIds: {}, ...permission }] } };
}

function v4(...cidrs: string[]): { items: Array<{ cidrIp: string }> } {
  return { items: cidrs.map((cidrIp) => ({ cidrIp })) };
}

function v6(...cidrs: string[]): { items: Array<{ cidrIpv6: string }> } {
  return { items: cidrs.map((cidrIpv6) => ({ cidrIpv6 })) };
}

function modifyRequest(rules: unknown): Record<string, unknown> {
  return { ModifySecurityGroupRulesRequest: { GroupId: 'sg-0123456789abcdef0', SecurityGroupRule: rules } };
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const fields = securityGroupFields(record);
  if (fields === undefined) throw new Error('expected security-group fields');
  return fields;
}

describe('isWorldCidr', () => {
  it.each(['0.0.0.0/0', '1.2.3.4/0', '203.0.113.9/0', '::/0', '2001:db8::/0', '0.0.0.0/00', ' 0.0.0.0/0 '])('%p is the whole internet', (cidr) => {
    expect(isWorldCidr(cidr)).toBe(true);
  });

  it.each(['0.0.0.0/1', '10.0.0.0/8', '192.0.2.0/24', '0.0.0.0', '::/1', '2001:db8::/32', '0.0.0.0/x', '0.0.0.0/-0', '0.0.0.0/'])('%p is not', (cidr) => {
    expect(isWorldCidr(cidr)).toBe(false);
  });

  it('handles absence', () => {
    expect(isWorldCidr(undefined)).toBe(false);
  });
});

describe('normalizeProtocol', () => {
  it.each([
    ['-1', 'all'],
    [-1, 'all'],
    ['6', 'tcp'],
    [6, 'tcp'],
    ['17', 'udp'],
    [17, 'udp'],
    ['1', 'icmp'],
    ['58', 'icmpv6'],
    ['TCP', 'tcp'],
    ['icmpv6', 'icmpv6'],
    ['47', '47'],
    ['constructor', 'constructor'],
    [undefined, 'all'],
  ])('%p is %p', (value, protocol) => {
    expect(normalizeProtocol(value)).toBe(protocol);
  });
});

describe('securityGroupPermissions', () => {
  it('reads the items form: one permission per IPv4 range, IPv6 range, prefix list and group reference', () => {
    const params = {
      groupId: 'sg-0123456789abcdef0',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            groups: { items: [{ groupId: 'sg-0fedcba9876543210', userId: '123456789012', description: 'bastion' }] },
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0', description: 'ssh' }, { cidrIp: '198.51.100.0/24' }] },
            ipv6Ranges: { items: [{ cidrIpv6: '2001:db8::/0' }] },
            prefixListIds: { items: [{ prefixListId: 'pl-0123456789abcdef0' }] },
          },
          { ipProtocol: '17', fromPort: 53, toPort: 53, groups: {}, ipRanges: v4('203.0.113.0/24'), ipv6Ranges: {}, prefixListIds: {} },
        ],
      },
    };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0', description: 'ssh' },
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '198.51.100.0/24' },
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, ipv6_cidr: '2001:db8::/0' },
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, prefix_list_id: 'pl-0123456789abcdef0' },
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, group_id: 'sg-0fedcba9876543210', description: 'bastion' },
      { direction: 'ingress', protocol: 'udp', from_port: 53, to_port: 53, cidr: '203.0.113.0/24' },
    ]);
  });

  it('reads the legacy flat form', () => {
    const params = { groupId: 'sg-1', ipProtocol: 'tcp', fromPort: '8080', toPort: '8081', cidrIp: '192.0.2.0/24' };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'tcp', from_port: 8080, to_port: 8081, cidr: '192.0.2.0/24' },
    ]);
  });

  it('reads the rest of the flat form: IPv6 range and source group, one permission per peer', () => {
    const params = { groupId: 'sg-1', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '192.0.2.0/24', cidrIpv6: '2001:db8::/32' };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '192.0.2.0/24' },
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, ipv6_cidr: '2001:db8::/32' },
    ]);
    const byGroup = { groupName: 'web', sourceSecurityGroupName: 'bastion', sourceSecurityGroupOwnerId: '123456789012' };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', byGroup, null)).toEqual([
      { direction: 'ingress', protocol: 'all', from_port: null, to_port: null, group_name: 'bastion' },
    ]);
    const byId = { groupId: 'sg-1', sourceSecurityGroupId: 'sg-2', sourceSecurityGroupName: 'bastion' };
    expect(securityGroupPermissions('RevokeSecurityGroupIngress', byId, null)).toEqual([
      { direction: 'ingress', protocol: 'all', from_port: null, to_port: null, group_id: 'sg-2', group_name: 'bastion' },
    ]);
  });

  it('unions the flat form with ipPermissions, whether that is empty ({}) or not', () => {
    const flat = { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' };
    const flatPermission = { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0' };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipPermissions: {}, ...flat }, null)).toEqual([flatPermission]);
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipPermissions: { items: [] }, ...flat }, null)).toEqual([flatPermission]);
    const both = { ...itemsForm({ ipProtocol: 'udp', fromPort: 53, toPort: 53, ipRanges: v4('10.0.0.0/8') }), ...flat };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', both, null)).toEqual([
      { direction: 'ingress', protocol: 'udp', from_port: 53, to_port: 53, cidr: '10.0.0.0/8' },
      flatPermission,
    ]);
  });

  it('adds nothing for flat keys that are null or {} next to ipPermissions', () => {
    const params = { ...itemsForm({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: v4('10.0.0.0/8') }), ipProtocol: null, cidrIp: {}, fromPort: null };
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'tcp', from_port: 443, to_port: 443, cidr: '10.0.0.0/8' },
    ]);
  });

  it('takes the direction from the call name', () => {
    const params = itemsForm({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: v4('0.0.0.0/0') });
    expect(securityGroupPermissions('AuthorizeSecurityGroupEgress', params, null)[0]?.direction).toBe('egress');
    expect(securityGroupPermissions('RevokeSecurityGroupEgress', params, null)[0]?.direction).toBe('egress');
    expect(securityGroupPermissions('UpdateSecurityGroupRuleDescriptionsIngress', params, null)[0]?.direction).toBe('ingress');
  });

  it('gives "all" null ports, whatever ports the request carries', () => {
    const params = itemsForm({ ipProtocol: '-1', fromPort: -1, toPort: -1, ipRanges: v4('10.0.0.0/8') });
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'all', from_port: null, to_port: null, cidr: '10.0.0.0/8' },
    ]);
  });

  it('keeps a permission without any peer', () => {
    const params = itemsForm({ ipProtocol: 'icmp', fromPort: 8, toPort: -1 });
    expect(securityGroupPermissions('AuthorizeSecurityGroupIngress', params, null)).toEqual([
      { direction: 'ingress', protocol: 'icmp', from_port: 8, to_port: null },
    ]);
  });

  it('reads ModifySecurityGroupRules, one rule or a list; direction from the response, else ingress', () => {
    const rule = (id: string, body: Record<string, unknown>) => ({ SecurityGroupRuleId: id, SecurityGroupRule: body });
    const params = modifyRequest([
      rule('sgr-1', { IpProtocol: '6', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0', Description: 'ssh' }),
      rule('sgr-2', { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv6: '::/0' }),
      rule('sgr-3', { IpProtocol: '58', FromPort: -1, ToPort: -1, PrefixListId: 'pl-1' }),
      rule('sgr-4', { IpProtocol: '17', FromPort: 123, ToPort: 123, ReferencedGroupId: 'sg-2' }),
    ]);
    const response = { securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-2', isEgress: true }, { securityGroupRuleId: 'sgr-4', isEgress: false }] } };
    expect(securityGroupPermissions('ModifySecurityGroupRules', params, response)).toEqual([
      { direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0', description: 'ssh' },
      { direction: 'egress', protocol: 'all', from_port: null, to_port: null, ipv6_cidr: '::/0' },
      { direction: 'ingress', protocol: 'icmpv6', from_port: null, to_port: null, prefix_list_id: 'pl-1' },
      { direction: 'ingress', protocol: 'udp', from_port: 123, to_port: 123, group_id: 'sg-2' },
    ]);
    const single = modifyRequest(rule('sgr-9', { IpProtocol: '1', FromPort: 0, ToPort: 0, CidrIpv4: '192.0.2.1/32' }));
    expect(securityGroupPermissions('ModifySecurityGroupRules', single, null)).toEqual([
      { direction: 'ingress', protocol: 'icmp', from_port: 0, to_port: 0, cidr: '192.0.2.1/32' },
    ]);
  });

  it('has no permissions for create and delete', () => {
    expect(securityGroupPermissions('CreateSecurityGroup', { groupName: 'web', groupDescription: 'web' }, null)).toEqual([]);
    expect(securityGroupPermissions('DeleteSecurityGroup', { groupId: 'sg-1' }, null)).toEqual([]);
  });
});

describe('securityGroupFields', () => {
  it('flags a world-open IPv4 range', () => {
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', itemsForm({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: v4('0.0.0.0/0') })));
    expect(f).toEqual({
      'aws.security_group.id': 'sg-0123456789abcdef0',
      'aws.security_group.permissions': [{ direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0' }],
      'aws.security_group.open_to_world': true,
      'aws.security_group.open_ports': ['tcp/22'],
      'aws.security_group.open_all_ports': false,
      'aws.security_group.exposed_ports': [22],
      'aws.security_group.exposed_services': ['tcp/22'],
    });
  });

  it.each([
    ['0.0.0.0/0', 'v4'],
    ['1.2.3.4/0', 'v4'],
    ['::/0', 'v6'],
    ['2001:db8::/0', 'v6'],
  ] as const)('counts %p as open to the world', (cidr, family) => {
    const ranges = family === 'v4' ? { ipRanges: v4(cidr) } : { ipv6Ranges: v6(cidr) };
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', itemsForm({ ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, ...ranges })));
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.exposed_ports']).toEqual([3306]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/3306']);
  });

  it.each([
    ['a private range', itemsForm({ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: v4('10.0.0.0/8'), ipv6Ranges: v6('2001:db8::/32') })],
    ['a prefix list', itemsForm({ ipProtocol: '-1', prefixListIds: { items: [{ prefixListId: 'pl-1' }] } })],
    ['a group reference', itemsForm({ ipProtocol: '-1', groups: { items: [{ groupId: 'sg-2' }] } })],
  ])('does not count %s', (_label, params) => {
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', params));
    expect(f['aws.security_group.open_to_world']).toBe(false);
    expect(f['aws.security_group.open_ports']).toEqual([]);
    expect(f['aws.security_group.exposed_ports']).toEqual([]);
    expect(f['aws.security_group.exposed_services']).toEqual([]);
  });

  it('does not count egress or revocations', () => {
    const params = itemsForm({ ipProtocol: '-1', ipRanges: v4('0.0.0.0/0'), ipv6Ranges: v6('::/0') });
    for (const name of ['AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'UpdateSecurityGroupRuleDescriptionsIngress']) {
      const f = fieldsOf(call(name, params));
      expect([name, f['aws.security_group.open_to_world'], f['aws.security_group.open_all_ports']]).toEqual([name, false, false]);
    }
  });

  it('flags the flat form next to an empty ipPermissions ({}), as CloudTrail writes it', () => {
    const record = call('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipPermissions: {}, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' });
    expect(fieldsOf(record)).toEqual({
      'aws.security_group.id': 'sg-1',
      'aws.security_group.permissions': [{ direction: 'ingress', protocol: 'tcp', from_port: 22, to_port: 22, cidr: '0.0.0.0/0' }],
      'aws.security_group.open_to_world': true,
      'aws.security_group.open_ports': ['tcp/22'],
      'aws.security_group.open_all_ports': false,
      'aws.security_group.exposed_ports': [22],
      'aws.security_group.exposed_services': ['tcp/22'],
    });
  });

  it('flags a flat-form world-open IPv6 range and a world-open flat form next to private items', () => {
    const v6flat = fieldsOf(call('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipProtocol: 'udp', fromPort: 3389, toPort: 3389, cidrIpv6: '::/0' }));
    expect([v6flat['aws.security_group.open_to_world'], v6flat['aws.security_group.exposed_services']]).toEqual([true, ['udp/3389']]);
    const params = { ...itemsForm({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: v4('10.0.0.0/8') }), ipProtocol: '6', fromPort: 3306, toPort: 3306, cidrIp: '0.0.0.0/0' };
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', params));
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.open_ports']).toEqual(['tcp/3306']);
    expect(f['aws.security_group.exposed_ports']).toEqual([3306]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/3306']);
  });

  it('does not flag a flat-form source group', () => {
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipPermissions: {}, sourceSecurityGroupName: 'bastion' }));
    expect(f['aws.security_group.open_to_world']).toBe(false);
    expect(f['aws.security_group.exposed_services']).toEqual([]);
  });

  it('flags the legacy flat form', () => {
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', { groupId: 'sg-1', ipProtocol: 'tcp', fromPort: 1, toPort: 65535, cidrIp: '0.0.0.0/0' }));
    expect(f['aws.security_group.open_to_world']).toBe(true);
    expect(f['aws.security_group.open_ports']).toEqual(['tcp/1-65535']);
    expect(f['aws.security_group.open_all_ports']).toBe(true);
    expect(f['aws.security_group.exposed_ports']).toEqual([...SENSITIVE_PORTS]);
    expect(f['aws.security_group.exposed_services']).toEqual(SENSITIVE_PORTS.map((p) => `tcp/${p}`));
  });

  it('flags ModifySecurityGroupRules opening all protocols', () => {
    const params = modifyRequest({ SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' } });
    const f = fieldsOf(call('ModifySecurityGroupRules', params));
    expect(f['aws.security_group.id']).toBe('sg-0123456789abcdef0');
    expect(f['aws.security_group.open_ports']).toEqual(['all']);
    expect(f['aws.security_group.open_all_ports']).toBe(true);
    expect(f['aws.security_group.exposed_ports']).toEqual([...SENSITIVE_PORTS]);
    expect(f['aws.security_group.exposed_services']).toEqual(SENSITIVE_PORTS.flatMap((p) => [`tcp/${p}`, `udp/${p}`]));
  });

  it('does not flag a modified egress rule once the response says it is egress', () => {
    const params = modifyRequest({ SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' } });
    const response = { securityGroupRuleSet: { items: [{ securityGroupRuleId: 'sgr-1', isEgress: true }] } };
    expect(fieldsOf(call('ModifySecurityGroupRules', params, response))['aws.security_group.open_to_world']).toBe(false);
  });

  it('lists the sensitive ports inside open tcp/udp ranges, sorted and once', () => {
    const params = {
      groupId: 'sg-1',
      ipPermissions: {
        items: [
          { ipProtocol: 'tcp', fromPort: 20, toPort: 25, ipRanges: v4('0.0.0.0/0') },
          { ipProtocol: 'udp', fromPort: 2000, toPort: 2100, ipv6Ranges: v6('::/0') },
          { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipv6Ranges: v6('::/0') },
          { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipRanges: v4('192.0.2.0/24') },
          { ipProtocol: 'icmp', fromPort: 8, toPort: -1, ipRanges: v4('0.0.0.0/0') },
        ],
      },
    };
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', params));
    expect(f['aws.security_group.open_ports']).toEqual(['tcp/20-25', 'udp/2000-2100', 'tcp/22', 'icmp/8']);
    expect(f['aws.security_group.exposed_ports']).toEqual([20, 21, 22, 23, 25, 2049]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/20', 'tcp/21', 'tcp/22', 'tcp/23', 'tcp/25', 'udp/2049']);
    expect(f['aws.security_group.open_all_ports']).toBe(false);
  });

  it('names the protocol of each exposed port: udp-only rules expose udp services, one port on both protocols gives both', () => {
    const params = {
      groupId: 'sg-1',
      ipPermissions: {
        items: [
          { ipProtocol: 'udp', fromPort: 3389, toPort: 3389, ipRanges: v4('0.0.0.0/0') },
          { ipProtocol: '17', fromPort: 53, toPort: 53, ipRanges: v4('0.0.0.0/0') },
          { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipv6Ranges: v6('::/0') },
          { ipProtocol: '47', ipRanges: v4('0.0.0.0/0') },
        ],
      },
    };
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', params));
    expect(f['aws.security_group.exposed_ports']).toEqual([3389]);
    expect(f['aws.security_group.exposed_services']).toEqual(['tcp/3389', 'udp/3389']);
    const udpOnly = fieldsOf(call('AuthorizeSecurityGroupIngress', itemsForm({ ipProtocol: 'udp', fromPort: 20, toPort: 23, ipRanges: v4('0.0.0.0/0') })));
    expect(udpOnly['aws.security_group.exposed_ports']).toEqual([20, 21, 22, 23]);
    expect(udpOnly['aws.security_group.exposed_services']).toEqual(['udp/20', 'udp/21', 'udp/22', 'udp/23']);
    expect(udpOnly['aws.security_group.exposed_services']).not.toContain('tcp/22');
  });

  it('counts udp 0-65535 as all ports', () => {
    const f = fieldsOf(call('AuthorizeSecurityGroupIngress', itemsForm({ ipProtocol: 'udp', fromPort: 0, toPort: 65535, ipRanges: v4('0.0.0.0/0') })));
    expect(f['aws.security_group.open_all_ports']).toBe(true);
    expect(f['aws.security_group.open_ports']).toEqual(['udp/0-65535']);
  });

  it('names the group of create and delete calls', () => {
    const created = fieldsOf(call('CreateSecurityGroup', { groupName: 'web', groupDescription: 'web', vpcId: 'vpc-1' }, { _return: true, groupId: 'sg-9' }));
    expect(created['aws.security_group.id']).toBe('sg-9');
    expect(created['aws.security_group.name']).toBe('web');
    expect(created['aws.security_group.vpc_id']).toBe('vpc-1');
    const deleted = fieldsOf(call('DeleteSecurityGroup', { groupName: 'legacy-default-vpc-group' }));
    expect(deleted['aws.security_group.id']).toBeUndefined();
    expect(deleted['aws.security_group.name']).toBe('legacy-default-vpc-group');
  });

  it('ignores other calls and other services', () => {
    expect(securityGroupFields(call('DescribeSecurityGroups', {}))).toBeUndefined();
    expect(securityGroupFields({ ...call('CreateSecurityGroup', {}), eventSource: 'rds.amazonaws.com' })).toBeUndefined();
    expect(securityGroupFields({})).toBeUndefined();
  });

  const names = fc.constantFrom('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'ModifySecurityGroupRules', 'CreateSecurityGroup', 'UpdateSecurityGroupRuleDescriptionsEgress');

  it('never throws, whatever the request and response hold', () => {
    const anything = fc.oneof(fc.jsonValue(), fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true }));
    fc.assert(
      fc.property(names, anything, anything, (name, request, response) => {
        const f = fieldsOf(call(name, request, response));
        expect(typeof f['aws.security_group.open_to_world']).toBe('boolean');
        expect(Array.isArray(f['aws.security_group.permissions'])).toBe(true);
        const ports = f['aws.security_group.exposed_ports'] as number[];
        const services = f['aws.security_group.exposed_services'] as string[];
        // every exposed service is an exposed port, and every exposed port is exposed on some protocol
        expect([...new Set(services.map((s) => Number(s.split('/')[1])))].sort((a, b) => a - b)).toEqual(ports);
      }),
      { numRuns: 1000 },
    );
  });

  it('flags exactly the ingress grants that carry a /0 range', () => {
    const range = fc.record({ cidr: fc.constantFrom('0.0.0.0/0', '198.51.100.0/0', '10.0.0.0/8', '::/0', '2001:db8::/32'), v6: fc.boolean() });
    fc.assert(
      fc.property(names, fc.array(range, { maxLength: 4 }), (name, ranges) => {
        const params = itemsForm({
          ipProtocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          ipRanges: v4(...ranges.filter((r) => !r.v6).map((r) => r.cidr)),
          ipv6Ranges: v6(...ranges.filter((r) => r.v6).map((r) => r.cidr)),
        });
        const grants = name.startsWith('Authorize') && name.endsWith('Ingress');
        const expected = grants && ranges.some((r) => r.cidr.endsWith('/0'));
        expect(fieldsOf(call(name, params))['aws.security_group.open_to_world']).toBe(name === 'ModifySecurityGroupRules' ? false : expected);
      }),
    );
  });
});
