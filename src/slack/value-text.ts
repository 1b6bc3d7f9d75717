/**
 * How a field value reads in a message. Like `fieldText`, but objects read as words rather than
 * JSON: a security-group permission as `ingress tcp/22 from 0.0.0.0/0`, anything else as
 * `key=value` pairs.
 */
import type { FieldValue } from '../events/event';

type FieldObject = { [key: string]: FieldValue };

export function valueText(value: FieldValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(valueText).filter((t) => t !== '').join(', ');
  if (typeof value === 'object') return isPermission(value) ? permissionText(value) : objectText(value);
  return String(value);
}

function objectText(value: FieldObject): string {
  return Object.entries(value)
    .map(([key, v]) => `${key}=${valueText(v)}`)
    .join(' ');
}

/** The shape of `aws.security_group.permissions` items (see src/sources/security-group.ts). */
function isPermission(value: FieldObject): boolean {
  return (value.direction === 'ingress' || value.direction === 'egress') && typeof value.protocol === 'string';
}

function permissionText(p: FieldObject): string {
  const from = p.from_port;
  const to = p.to_port;
  const ports = typeof from !== 'number' ? '' : typeof to !== 'number' || to === from ? `/${from}` : `/${from}-${to}`;
  const peer = [p.cidr, p.ipv6_cidr, p.prefix_list_id, p.group_id].find((v) => typeof v === 'string' && v !== '');
  const towards = p.direction === 'ingress' ? 'from' : 'to';
  const description = typeof p.description === 'string' && p.description !== '' ? ` (${p.description})` : '';
  return `${String(p.direction)} ${String(p.protocol)}${ports}${peer === undefined ? '' : ` ${towards} ${String(peer)}`}${description}`;
}
