import type { FieldCatalogue } from '../events/event';

/** Fields the AWS WAF v2 parser sets (besides the common ones). */
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
    'http.version',
    'user_agent.original',
  ],
  prefixes: ['aws.waf.', 'http.request.headers.'],
};
