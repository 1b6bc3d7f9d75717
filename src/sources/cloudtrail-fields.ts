import type { FieldCatalogue } from '../events/event';

/** Fields the CloudTrail parser sets (besides the common ones); the raw record's own fields stay addressable. */
export const CLOUDTRAIL_FIELDS: FieldCatalogue = {
  fields: ['user_agent.original', 'user.id', 'error.code', 'error.message'],
  prefixes: [
    'aws.cloudtrail.',
    'aws.security_group.',
    // the raw record's own top-level fields, as Sigma rules for CloudTrail name them
    'eventVersion',
    'userIdentity',
    'eventTime',
    'eventSource',
    'eventName',
    'awsRegion',
    'sourceIPAddress',
    'userAgent',
    'errorCode',
    'errorMessage',
    'requestParameters',
    'responseElements',
    'additionalEventData',
    'requestID',
    'eventID',
    'readOnly',
    'resources',
    'eventType',
    'apiVersion',
    'managementEvent',
    'recipientAccountId',
    'serviceEventDetails',
    'sharedEventID',
    'vpcEndpointId',
    'eventCategory',
    'tlsDetails',
    'sessionCredentialFromConsole',
  ],
};
