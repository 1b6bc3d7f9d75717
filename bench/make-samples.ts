import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { random, wafRecord, cloudTrailRecord } from './generate';

/** Regenerates samples/waf.log.gz and samples/cloudtrail.json (samples/auth.log is written by hand): npx tsx bench/make-samples.ts */
const OUT = join(__dirname, '..', 'samples');
const rand = random(7);
const start = Date.UTC(2024, 10, 2, 10, 1, 0);
const recs: string[] = [];
// a burst of 120 blocks from one address in two minutes, among ordinary traffic
for (let i = 0; i < 160; i++) {
  const burst = i % 4 !== 3;
  recs.push(JSON.stringify(wafRecord(rand, start + i * 750, burst ? { ip: '198.51.100.23', action: 'BLOCK' } : { action: 'ALLOW' })));
}
writeFileSync(`${OUT}/waf.log.gz`, gzipSync(recs.join('')));
const ct = [
  cloudTrailRecord(rand, Date.UTC(2024, 10, 2, 10, 7, 0), { eventName: 'DescribeInstances' }),
  cloudTrailRecord(rand, Date.UTC(2024, 10, 2, 10, 8, 0), { eventName: 'AuthorizeSecurityGroupIngress', cidr: '10.0.0.0/16', port: 5432 }),
  cloudTrailRecord(rand, Date.UTC(2024, 10, 2, 10, 9, 30), { eventName: 'AuthorizeSecurityGroupIngress', cidr: '0.0.0.0/0', port: 22 }),
];
writeFileSync(`${OUT}/cloudtrail.json`, JSON.stringify({ Records: ct }, null, 2) + '\n');
