/**
 * Synthetic but realistic inputs for benchmarks and the bundled samples: sshd auth-log
 * lines, AWS WAF v2 records and CloudTrail records, with addresses from the documentation
 * ranges. Deterministic (a seeded generator), so figures are comparable between runs.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Mulberry32: small, fast, seeded. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** An RFC 3164 timestamp (`Nov  2 10:00:00`) of an epoch ms, in UTC. */
export function syslogTime(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const hms = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${hms}`;
}

const USERS = ['root', 'admin', 'ubuntu', 'test', 'oracle', 'postgres', 'git', 'user', 'deploy', 'alice'];

/** One auth-log line: a mix like a real internet-facing host (mostly failures, some noise). */
export function sshLine(rand: () => number, ms: number): string {
  const host = pick(rand, ['bastion', 'web-1', 'web-2']);
  const pid = 1000 + Math.floor(rand() * 60000);
  const ip = `203.0.113.${1 + Math.floor(rand() * 250)}`;
  const port = 1024 + Math.floor(rand() * 60000);
  const user = pick(rand, USERS);
  const head = `${syslogTime(ms)} ${host} sshd[${pid}]:`;
  const r = rand();
  if (r < 0.45) return `${head} Failed password for ${user} from ${ip} port ${port} ssh2`;
  if (r < 0.6) return `${head} Invalid user ${user} from ${ip} port ${port}`;
  if (r < 0.7) return `${head} Failed password for invalid user ${user} from ${ip} port ${port} ssh2`;
  if (r < 0.78) return `${head} Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`;
  if (r < 0.84) return `${head} pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`;
  if (r < 0.88) return `${head} Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`;
  if (r < 0.92) return `${syslogTime(ms)} ${host} CRON[${pid}]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`;
  if (r < 0.96) return `${head} Accepted publickey for deploy from 198.51.100.${1 + Math.floor(rand() * 20)} port ${port} ssh2: ED25519 SHA256:q0sZ4bCkWw3ri1BmgHX7iPNjPHG5nSg3dQ`;
  return `${head} Disconnected from user deploy 198.51.100.7 port ${port}`;
}

export function sshLines(count: number, startMs: number, seed = 1): string[] {
  const rand = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(sshLine(rand, startMs + i * 250));
  return out;
}

const RULES = [
  { id: 'AWS-AWSManagedRulesCommonRuleSet', type: 'MANAGED_RULE_GROUP', inner: 'CrossSiteScripting_QUERYARGUMENTS' },
  { id: 'AWS-AWSManagedRulesSQLiRuleSet', type: 'MANAGED_RULE_GROUP', inner: 'SQLi_QUERYARGUMENTS' },
  { id: 'rate-limit-per-ip', type: 'RATE_BASED', inner: undefined },
  { id: 'block-bad-bots', type: 'REGULAR', inner: undefined },
];

/** One WAF v2 log record, shaped as WAF writes them to CloudWatch Logs or Firehose. */
export function wafRecord(rand: () => number, ms: number, options: { ip?: string; action?: string } = {}): Record<string, unknown> {
  const action = options.action ?? (rand() < 0.6 ? 'BLOCK' : 'ALLOW');
  const rule = pick(rand, RULES);
  const blocked = action === 'BLOCK';
  const ip = options.ip ?? `198.51.100.${1 + Math.floor(rand() * 250)}`;
  return {
    timestamp: ms,
    formatVersion: 1,
    webaclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/shop-prod/5a1c7c4e-1d2b-4b6e-9a3f-0e8d2f3b4c5d',
    terminatingRuleId: blocked ? rule.id : 'Default_Action',
    terminatingRuleType: blocked ? rule.type : 'REGULAR',
    action,
    terminatingRuleMatchDetails: [],
    httpSourceName: 'ALB',
    httpSourceId: '123456789012-app/shop-prod/50dc6c495c0c9188',
    ruleGroupList:
      blocked && rule.inner
        ? [{ ruleGroupId: `AWS#${rule.id.slice(4)}`, terminatingRule: { ruleId: rule.inner, action: 'BLOCK', ruleMatchDetails: null }, nonTerminatingMatchingRules: [], excludedRules: null }]
        : [],
    rateBasedRuleList: [],
    nonTerminatingMatchingRules: [],
    requestHeadersInserted: null,
    responseCodeSent: null,
    httpRequest: {
      clientIp: ip,
      country: pick(rand, ['NL', 'US', 'BR', 'CN', 'DE']),
      headers: [
        { name: 'Host', value: 'shop.example.com' },
        { name: 'User-Agent', value: pick(rand, ['Mozilla/5.0 (X11; Linux x86_64)', 'sqlmap/1.7.2#stable', 'python-requests/2.31.0']) },
        { name: 'Accept', value: '*/*' },
      ],
      uri: pick(rand, ['/search', '/login', '/api/cart', '/wp-login.php', '/.env']),
      args: pick(rand, ['', 'q=shoes', "q=1'%20OR%20'1'='1", 'id=<script>alert(1)</script>']),
      httpVersion: 'HTTP/1.1',
      httpMethod: pick(rand, ['GET', 'POST']),
      requestId: `1-${Math.floor(rand() * 1e9).toString(16)}-${Math.floor(rand() * 1e12).toString(16)}`,
    },
    labels: blocked && rule.inner ? [{ name: `awswaf:managed:aws:core-rule-set:${rule.inner}` }] : [],
  };
}

export function wafRecords(count: number, startMs: number, seed = 2): string[] {
  const rand = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(JSON.stringify(wafRecord(rand, startMs + i * 20)));
  return out;
}

const SG_CALLS = ['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'CreateSecurityGroup'];
const OTHER_CALLS = ['DescribeInstances', 'GetObject', 'AssumeRole', 'DescribeSecurityGroups', 'PutObject', 'ListBuckets'];
/** Share of security-group calls among all records: real trails are mostly reads and data events. */
const SG_SHARE = 0.02;

/** One CloudTrail record: a few security-group calls among ordinary API noise. */
export function cloudTrailRecord(rand: () => number, ms: number, options: { eventName?: string; cidr?: string; port?: number } = {}): Record<string, unknown> {
  const eventName = options.eventName ?? (rand() < SG_SHARE ? pick(rand, SG_CALLS) : pick(rand, OTHER_CALLS));
  const sg = eventName.includes('SecurityGroup');
  const cidr = options.cidr ?? pick(rand, ['10.0.0.0/16', '0.0.0.0/0', '203.0.113.0/24']);
  const port = options.port ?? pick(rand, [22, 443, 3389, 5432]);
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice@example.com',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com',
      accountId: '123456789012',
      accessKeyId: 'ASIAEXAMPLEKEY',
      sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: 'arn:aws:iam::123456789012:role/Admin', accountId: '123456789012', userName: 'Admin' } },
    },
    eventTime: new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: sg || eventName.startsWith('Describe') ? 'ec2.amazonaws.com' : eventName === 'AssumeRole' ? 'sts.amazonaws.com' : 's3.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: `192.0.2.${1 + Math.floor(rand() * 200)}`,
    userAgent: 'aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64',
    requestParameters: sg
      ? {
          groupId: 'sg-0123456789abcdef0',
          ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: { items: [{ cidrIp: cidr }] }, ipv6Ranges: {}, prefixListIds: {}, groups: {} }] },
        }
      : { maxResults: 100 },
    responseElements: sg ? { _return: true } : null,
    requestID: `${Math.floor(rand() * 1e12).toString(16)}-req`,
    eventID: `${Math.floor(rand() * 1e12).toString(16)}-${Math.floor(rand() * 1e12).toString(16)}`,
    readOnly: !sg,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
  };
}

export function cloudTrailRecords(count: number, startMs: number, seed = 3): string[] {
  const rand = random(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(JSON.stringify(cloudTrailRecord(rand, startMs + i * 1000)));
  return out;
}
