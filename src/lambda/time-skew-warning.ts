/** The Lambda's warning about auth-log lines far from CloudWatch's time: once per invocation and log group. */
import { skewHours, type TimeSkew } from '../sources/time-skew';
import { logger } from './telemetry';

export const TIME_SKEW_WARNING = "auth-log times are more than an hour from CloudWatch's ingestion time: the log group's time zone is probably wrong";

/**
 * A fresh reporter for one invocation: the first skewed line of each log group logs a
 * structured warning (log group, zone read in, offset in hours); the others are quiet. Only
 * configuration is logged, never the line.
 */
export function timeSkewWarner(warn: (message: string, attributes: Record<string, unknown>) => void = (m, a) => logger.warn(m, a)): (skew: TimeSkew) => void {
  const warned = new Set<string>();
  return (skew) => {
    if (warned.has(skew.logGroup)) return;
    warned.add(skew.logGroup);
    const offsetHours = skewHours(skew.skewMs);
    warn(TIME_SKEW_WARNING, {
      logGroup: skew.logGroup,
      timeZone: skew.timeZone,
      offsetHours,
      hint: `the lines read ${Math.abs(offsetHours)} h ${offsetHours > 0 ? 'ahead of' : 'behind'} CloudWatch: set timezone: for this log group in deploy/<stage>.yml (or KLAXON_SYSLOG_TZ) to the zone the host writes its auth log in`,
    });
  };
}
