import { EVENT_SOURCES, type EventSource } from '../events/event';

/** Which parser reads a CloudWatch log group: the first route whose glob matches wins. */
export interface LogGroupRoute {
  pattern: string;
  source: EventSource;
}

/** AWS requires WAF log groups to start with `aws-waf-logs-`; the others are common names for auth logs and trails. */
export const DEFAULT_ROUTES: readonly LogGroupRoute[] = [
  { pattern: 'aws-waf-logs-*', source: 'waf' },
  { pattern: '*cloudtrail*', source: 'cloudtrail' },
  { pattern: '*CloudTrail*', source: 'cloudtrail' },
  { pattern: '*auth*', source: 'ssh' },
  { pattern: '*secure*', source: 'ssh' },
  { pattern: '*ssh*', source: 'ssh' },
];

/**
 * Parses `KLAXON_LOG_GROUP_SOURCES`: comma-separated `GLOB=source` pairs, e.g.
 * `/prod/bastion/*=ssh,aws-waf-logs-edge=waf`. These are tried before the defaults.
 */
export function parseRoutes(spec: string): { routes: LogGroupRoute[]; problems: string[] } {
  const routes: LogGroupRoute[] = [];
  const problems: string[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const pattern = part.slice(0, eq).trim();
    const source = part.slice(eq + 1).trim();
    if (eq <= 0 || pattern === '') problems.push(`"${part}": expected GLOB=source`);
    else if (!(EVENT_SOURCES as readonly string[]).includes(source)) problems.push(`"${part}": unknown source "${source}" (expected ${EVENT_SOURCES.join(', ')})`);
    else routes.push({ pattern, source: source as EventSource });
  }
  return { routes, problems };
}

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re === undefined) {
    re = new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    compiled.set(glob, re);
  }
  return re;
}

/** True when a log group name matches a glob (`*` for any run of characters). */
export function matchesGlob(glob: string, logGroup: string): boolean {
  return globToRegExp(glob).test(logGroup);
}

export function routeLogGroup(logGroup: string, routes: readonly LogGroupRoute[]): EventSource | undefined {
  return routes.find((r) => matchesGlob(r.pattern, logGroup))?.source;
}

/** The fallback when no route names a log group: look at one message. */
export function sniffMessage(message: string): EventSource {
  const start = message.trimStart();
  if (start.startsWith('{')) {
    if (start.includes('"httpRequest"')) return 'waf';
    if (start.includes('"eventVersion"') || start.includes('"eventSource"')) return 'cloudtrail';
    if (start.includes('"NewStateValue"') || start.includes('"CloudWatch Alarm State Change"')) return 'alarm';
  }
  return 'ssh';
}
