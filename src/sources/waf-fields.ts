import type { FieldCatalogue } from '../events/event';
import { WAF_ACTIONS, WAF_CATEGORIES, WAF_TYPES } from './waf';

/** Fields the AWS WAF v2 parser sets (besides the common ones); the raw record's own fields stay addressable. */
export const WAF_FIELDS: FieldCatalogue = {
  fields: [
    'rule.id',
    'rule.ruleset',
    'source.geo.country_iso_code',
    'url.path',
    'url.query',
    'url.original',
    'http.request.method',
    'http.request.id',
    'http.request.headers',
    'http.version',
    'user_agent.original',
    'aws.waf.web_acl.id',
    'aws.waf.web_acl.name',
    'aws.waf.web_acl.scope',
    'aws.waf.source.id',
    'aws.waf.source.name',
    'aws.waf.labels',
    'aws.waf.non_terminating_matching_rules',
    'aws.waf.terminating_rule_group.id',
    'aws.waf.terminating_rule_group.rule_id',
    'aws.waf.rule_group.non_terminating_matching_rules',
    'aws.waf.rule_group.excluded_rules',
    'aws.waf.terminating_rule_match_details',
    'aws.waf.response_code',
    'aws.waf.captcha_response.response_code',
    'aws.waf.captcha_response.failure_reason',
    'aws.waf.challenge_response.response_code',
    'aws.waf.challenge_response.failure_reason',
    // the raw record's own scalar fields
    'timestamp',
    'formatVersion',
    'webaclId',
    'terminatingRuleId',
    'terminatingRuleType',
    'action',
    'httpSourceName',
    'httpSourceId',
    'responseCodeSent',
  ],
  prefixes: [
    // maps and lists that a path walks into
    'http.request.headers.',
    'aws.waf.terminating_rule_match_details.',
    // the raw record's own structured fields
    'httpRequest',
    'terminatingRuleMatchDetails',
    'ruleGroupList',
    'rateBasedRuleList',
    'nonTerminatingMatchingRules',
    'requestHeadersInserted',
    'labels',
    'captchaResponse',
    'challengeResponse',
  ],
  // source.geo.country_iso_code is AWS's own httpRequest.country; the GeoIP database only fills it in when a record has none.
  kinds: { 'aws.waf.response_code': 'number', timestamp: 'number' },
  values: { 'event.action': WAF_ACTIONS, 'event.outcome': [], 'event.category': WAF_CATEGORIES, 'event.type': WAF_TYPES },
};
