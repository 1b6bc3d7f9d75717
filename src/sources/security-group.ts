import type { FieldValue } from '../events/event';
import { isObject, text } from '../events/json';
import type { JsonObject } from '../events/json';

/** The EC2 API calls that change (or create/delete) a security group. */
export const SECURITY_GROUP_EVENTS: ReadonlySet<string> = new Set([
  'AuthorizeSecurityGroupIngress',
  'AuthorizeSecurityGroupEgress',
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'CreateSecurityGroup',
  'DeleteSecurityGroup',
  'ModifySecurityGroupRules',
  'UpdateSecurityGroupRuleDescriptionsIngress',
  'UpdateSecurityGroupRuleDescriptionsEgress',
]);

/** Well-known ports that should never face the whole internet (remote shells, file sharing, databases, caches, Docker). */
export const SENSITIVE_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 135, 139, 445, 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 6379, 9200, 11211, 27017,
];

export type Direction = 'ingress' | 'egress';

/** One permission: one protocol/port range towards one peer (CIDR, prefix list or group). */
export type SecurityGroupPermission = {
  direction: Direction;
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'all', or the protocol number as a string. */
  protocol: string;
  /** For icmp/icmpv6 these are the ICMP type and code; null means all. */
  from_port: number | null;
  to_port: number | null;
  cidr?: string;
  ipv6_cidr?: string;
  prefix_list_id?: string;
  group_id?: string;
  /** The legacy flat form can name the source group by name (EC2-Classic, default VPC) instead of by id. */
  group_name?: string;
  description?: string;
};

/** CloudTrail writes EC2 lists as `{"items": [...]}`; empty lists as `{}`. Also accepts a bare array or a lone item. */
function itemsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return [];
  if ('items' in value) {
    const items = value.items;
    if (Array.isArray(items)) return items;
    return isObject(items) ? [items] : [];
  }
  return Object.keys(value).length > 0 ? [value] : [];
}

const PROTOCOL_NUMBERS = new Map([
  ['6', 'tcp'],
  ['17', 'udp'],
  ['1', 'icmp'],
  ['58', 'icmpv6'],
]);
const PROTOCOL_NAMES = new Set(['tcp', 'udp', 'icmp', 'icmpv6']);

/** A protocol name or number as EC2 takes it. "-1" means all; a missing protocol is what EC2 grants for a bare source group: all. */
export function normalizeProtocol(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'all';
  if (typeof value !== 'string' && typeof value !== 'number') return 'invalid';
  const raw = String(value).trim().toLowerCase();
  if (raw === '-1' || raw === 'all') return 'all';
  if (PROTOCOL_NAMES.has(raw)) return raw;
  const byNumber = PROTOCOL_NUMBERS.get(raw);
  if (byNumber !== undefined) return byNumber;
  return raw;
}

/** A port (or ICMP type/code) from a number or numeric string; -1 and anything unusable mean "all", null. */
function port(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) return null;
  return n;
}

function basePermission(direction: Direction, protocolValue: unknown, fromValue: unknown, toValue: unknown): SecurityGroupPermission {
  const protocol = normalizeProtocol(protocolValue);
  if (protocol === 'all') return { direction, protocol, from_port: null, to_port: null };
  return { direction, protocol, from_port: port(fromValue), to_port: port(toValue) };
}

function withDescription(permission: SecurityGroupPermission, item: JsonObject): SecurityGroupPermission {
  const description = text(item.description);
  if (description !== undefined) permission.description = description;
  return permission;
}

/** `ipPermissions.items[]`: one permission object per IPv4 range, IPv6 range, prefix list and group reference. */
function fromIpPermissions(direction: Direction, value: unknown): SecurityGroupPermission[] {
  const out: SecurityGroupPermission[] = [];
  for (const item of itemsOf(value)) {
    if (!isObject(item)) continue;
    const make = (): SecurityGroupPermission => basePermission(direction, item.ipProtocol, item.fromPort, item.toPort);
    const before = out.length;
    for (const range of itemsOf(item.ipRanges)) {
      if (!isObject(range)) continue;
      const cidr = text(range.cidrIp);
      if (cidr !== undefined) out.push(withDescription({ ...make(), cidr }, range));
    }
    for (const range of itemsOf(item.ipv6Ranges)) {
      if (!isObject(range)) continue;
      const cidr = text(range.cidrIpv6);
      if (cidr !== undefined) out.push(withDescription({ ...make(), ipv6_cidr: cidr }, range));
    }
    for (const list of itemsOf(item.prefixListIds)) {
      if (!isObject(list)) continue;
      const id = text(list.prefixListId);
      if (id !== undefined) out.push(withDescription({ ...make(), prefix_list_id: id }, list));
    }
    for (const group of itemsOf(item.groups)) {
      if (!isObject(group)) continue;
      const id = text(group.groupId);
      if (id !== undefined) out.push(withDescription({ ...make(), group_id: id }, group));
    }
    if (out.length === before) out.push(make());
  }
  return out;
}

const FLAT_KEYS = ['ipProtocol', 'fromPort', 'toPort', 'cidrIp', 'cidrIpv6', 'sourceSecurityGroupId', 'sourceSecurityGroupName'] as const;

/** A flat-form value that says something: not missing, null, or the `{}` CloudTrail writes for an empty value. */
function given(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return !isObject(value) || Object.keys(value).length > 0;
}

/**
 * The legacy flat request form: `ipProtocol`, `fromPort`, `toPort` and a peer (`cidrIp`, `cidrIpv6`,
 * `sourceSecurityGroupId`/`sourceSecurityGroupName`) at the top of requestParameters. One permission
 * per peer, as the items form gives; one without a peer when only protocol and ports are given.
 */
function fromFlatForm(direction: Direction, params: JsonObject): SecurityGroupPermission[] {
  if (!FLAT_KEYS.some((key) => given(params[key]))) return [];
  const make = (): SecurityGroupPermission => basePermission(direction, params.ipProtocol, params.fromPort, params.toPort);
  const out: SecurityGroupPermission[] = [];
  const cidr = text(params.cidrIp);
  if (cidr !== undefined) out.push({ ...make(), cidr });
  const cidr6 = text(params.cidrIpv6);
  if (cidr6 !== undefined) out.push({ ...make(), ipv6_cidr: cidr6 });
  const groupIdValue = text(params.sourceSecurityGroupId);
  const groupName = text(params.sourceSecurityGroupName);
  if (groupIdValue !== undefined || groupName !== undefined) {
    const permission = make();
    if (groupIdValue !== undefined) permission.group_id = groupIdValue;
    if (groupName !== undefined) permission.group_name = groupName;
    out.push(permission);
  }
  if (out.length === 0) out.push(make());
  return out;
}

/** Rule ids the response says are egress or ingress (`securityGroupRuleSet.items[].isEgress`). */
function responseDirections(responseElements: unknown): Map<string, Direction> {
  const directions = new Map<string, Direction>();
  const set = isObject(responseElements) ? responseElements.securityGroupRuleSet : undefined;
  for (const rule of itemsOf(set)) {
    if (!isObject(rule)) continue;
    const id = text(rule.securityGroupRuleId);
    if (id !== undefined && typeof rule.isEgress === 'boolean') directions.set(id, rule.isEgress ? 'egress' : 'ingress');
  }
  return directions;
}

/** ModifySecurityGroupRules: `ModifySecurityGroupRulesRequest.SecurityGroupRule` (one or a list) of `{SecurityGroupRuleId, SecurityGroupRule: {...}}`. */
function fromModifyRequest(request: JsonObject, responseElements: unknown): SecurityGroupPermission[] {
  const directions = responseDirections(responseElements);
  const out: SecurityGroupPermission[] = [];
  for (const entry of itemsOf(request.SecurityGroupRule)) {
    if (!isObject(entry)) continue;
    const rule = isObject(entry.SecurityGroupRule) ? entry.SecurityGroupRule : entry;
    // The request does not say whether the rule is ingress or egress. Take it from the response when it lists the
    // rule; otherwise assume ingress, the direction that matters for exposure (better a false alarm than a miss).
    const id = text(entry.SecurityGroupRuleId);
    const direction = (id !== undefined ? directions.get(id) : undefined) ?? 'ingress';
    const permission = basePermission(direction, rule.IpProtocol, rule.FromPort, rule.ToPort);
    const cidr = text(rule.CidrIpv4);
    const cidr6 = text(rule.CidrIpv6);
    const prefixList = text(rule.PrefixListId);
    const group = text(rule.ReferencedGroupId);
    const description = text(rule.Description);
    if (cidr !== undefined) permission.cidr = cidr;
    if (cidr6 !== undefined) permission.ipv6_cidr = cidr6;
    if (prefixList !== undefined) permission.prefix_list_id = prefixList;
    if (group !== undefined) permission.group_id = group;
    if (description !== undefined) permission.description = description;
    out.push(permission);
  }
  return out;
}

function directionOf(eventName: string): Direction {
  return eventName.endsWith('Egress') ? 'egress' : 'ingress';
}

/**
 * Every permission a security-group call names. Authorize/Revoke/Update calls get the union of
 * both request forms: `ipPermissions` may be present but empty (`{}`) next to a flat-form grant.
 */
export function securityGroupPermissions(eventName: string, requestParameters: unknown, responseElements: unknown): SecurityGroupPermission[] {
  if (!isObject(requestParameters)) return [];
  if (eventName === 'ModifySecurityGroupRules') {
    const request = requestParameters.ModifySecurityGroupRulesRequest;
    return isObject(request) ? fromModifyRequest(request, responseElements) : [];
  }
  if (eventName === 'CreateSecurityGroup' || eventName === 'DeleteSecurityGroup') return [];
  const direction = directionOf(eventName);
  return [...fromIpPermissions(direction, requestParameters.ipPermissions), ...fromFlatForm(direction, requestParameters)];
}

/** True for a CIDR whose prefix length is 0, whatever its address bits: `0.0.0.0/0`, `10.1.2.3/0`, `::/0`. */
export function isWorldCidr(cidr: string | undefined): boolean {
  if (cidr === undefined) return false;
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return false;
  const length = cidr.slice(slash + 1).trim();
  return /^\d+$/.test(length) && Number(length) === 0;
}

function isWorldOpen(permission: SecurityGroupPermission): boolean {
  return permission.direction === 'ingress' && (isWorldCidr(permission.cidr) || isWorldCidr(permission.ipv6_cidr));
}

function isPortProtocol(protocol: string): boolean {
  return protocol === 'tcp' || protocol === 'udp';
}

function coversAllPorts(permission: SecurityGroupPermission): boolean {
  if (permission.protocol === 'all') return true;
  return isPortProtocol(permission.protocol) && (permission.from_port === 0 || permission.from_port === 1) && permission.to_port === 65535;
}

/** 'all', 'tcp/22', 'tcp/1024-2048', 'icmp/8' (ICMP type), or the bare protocol when no ports are given. */
function portLabel(permission: SecurityGroupPermission): string {
  const { protocol, from_port: from, to_port: to } = permission;
  if (protocol === 'all' || from === null) return protocol;
  if (!isPortProtocol(protocol) || to === null || to === from) return `${protocol}/${from}`;
  return `${protocol}/${from}-${to}`;
}

function exposedPorts(permission: SecurityGroupPermission): number[] {
  if (permission.protocol === 'all') return [...SENSITIVE_PORTS];
  const { from_port: from, to_port: to } = permission;
  if (!isPortProtocol(permission.protocol) || from === null) return [];
  const high = to ?? from;
  return SENSITIVE_PORTS.filter((p) => p >= from && p <= high);
}

/** The transport protocols a permission opens its ports on: both for an all-protocol rule. */
function portProtocols(permission: SecurityGroupPermission): string[] {
  if (permission.protocol === 'all') return ['tcp', 'udp'];
  return isPortProtocol(permission.protocol) ? [permission.protocol] : [];
}

/** Orders 'tcp/22' before 'udp/22' before 'tcp/25': by port, then protocol. */
function compareServices(a: string, b: string): number {
  const [protocolA = '', portA = ''] = a.split('/');
  const [protocolB = '', portB = ''] = b.split('/');
  return Number(portA) - Number(portB) || (protocolA < protocolB ? -1 : protocolA > protocolB ? 1 : 0);
}

/** The facts rules ask about a security-group change, computed once. */
export interface Exposure {
  openToWorld: boolean;
  openPorts: string[];
  openAllPorts: boolean;
  /** Sensitive ports opened over tcp, udp or all protocols (whichever of them). */
  exposedPorts: number[];
  /** The same, with the protocol each is opened on: 'tcp/22', 'udp/3389' (an all-protocol rule gives both). */
  exposedServices: string[];
}

/** Ingress exposure to the whole internet (any /0 range); only calls that grant access count (Authorize*, Modify*). */
export function exposure(eventName: string, permissions: readonly SecurityGroupPermission[]): Exposure {
  const result: Exposure = { openToWorld: false, openPorts: [], openAllPorts: false, exposedPorts: [], exposedServices: [] };
  if (!eventName.startsWith('Authorize') && !eventName.startsWith('Modify')) return result;
  const labels = new Set<string>();
  const ports = new Set<number>();
  const services = new Set<string>();
  for (const permission of permissions) {
    if (!isWorldOpen(permission)) continue;
    result.openToWorld = true;
    labels.add(portLabel(permission));
    if (coversAllPorts(permission)) result.openAllPorts = true;
    const protocols = portProtocols(permission);
    for (const p of exposedPorts(permission)) {
      ports.add(p);
      for (const protocol of protocols) services.add(`${protocol}/${p}`);
    }
  }
  result.openPorts = [...labels];
  result.exposedPorts = [...ports].sort((a, b) => a - b);
  result.exposedServices = [...services].sort(compareServices);
  return result;
}

function groupId(eventName: string, params: JsonObject, responseElements: unknown): string | undefined {
  const request = params.ModifySecurityGroupRulesRequest;
  const fromRequest = text(params.groupId) ?? (isObject(request) ? text(request.GroupId) : undefined);
  if (fromRequest !== undefined) return fromRequest;
  // CreateSecurityGroup only learns its id from the response.
  return eventName === 'CreateSecurityGroup' && isObject(responseElements) ? text(responseElements.groupId) : undefined;
}

/**
 * The `aws.security_group.*` fields of a security-group call, or undefined for any other call.
 *
 * @example
 *   securityGroupFields({ eventName: 'AuthorizeSecurityGroupIngress', requestParameters: { groupId: 'sg-1', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' } });
 *   // { 'aws.security_group.id': 'sg-1', 'aws.security_group.open_to_world': true, 'aws.security_group.open_ports': ['tcp/22'],
 *   //   'aws.security_group.exposed_ports': [22], 'aws.security_group.exposed_services': ['tcp/22'], ... }
 */
export function securityGroupFields(record: JsonObject): Record<string, FieldValue> | undefined {
  const eventName = record.eventName;
  if (typeof eventName !== 'string' || !SECURITY_GROUP_EVENTS.has(eventName)) return undefined;
  if (record.eventSource !== undefined && record.eventSource !== 'ec2.amazonaws.com') return undefined;
  const params = isObject(record.requestParameters) ? record.requestParameters : {};
  const permissions = securityGroupPermissions(eventName, params, record.responseElements);
  const exposed = exposure(eventName, permissions);
  const fields: Record<string, FieldValue> = {
    'aws.security_group.permissions': permissions,
    'aws.security_group.open_to_world': exposed.openToWorld,
    'aws.security_group.open_ports': exposed.openPorts,
    'aws.security_group.open_all_ports': exposed.openAllPorts,
    'aws.security_group.exposed_ports': exposed.exposedPorts,
    'aws.security_group.exposed_services': exposed.exposedServices,
  };
  const id = groupId(eventName, params, record.responseElements);
  if (id !== undefined) fields['aws.security_group.id'] = id;
  const name = text(params.groupName);
  if (name !== undefined) fields['aws.security_group.name'] = name;
  const vpc = text(params.vpcId);
  if (vpc !== undefined) fields['aws.security_group.vpc_id'] = vpc;
  return fields;
}
