/**
 * `cloudtrail: { createTrail: true }`: a multi-region trail logging write management events,
 * for accounts without one, since EventBridge sees security-group calls only while a trail
 * logs them. The log files go to a bucket of the stack's own, kept when the stack is removed
 * (they are an audit record), versioned, encrypted, public access blocked, TLS only.
 */
import type { StageConfig } from './config';
import type { StageNames } from './names';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: 'Retain'; UpdateReplacePolicy?: 'Retain' };

/** The trail's ARN, known before it exists (the bucket policy names it). */
function trailArn(names: StageNames): { 'Fn::Sub': string } {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:cloudtrail:\${AWS::Region}:\${AWS::AccountId}:trail/${names.trail}` };
}

/** SSE-KMS under the trail's key when one is configured, else SSE-S3. */
function encryption(config: StageConfig): Record<string, string> {
  const key = config.cloudtrail.kmsKeyArn;
  return key === undefined ? { SSEAlgorithm: 'AES256' } : { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key };
}

export function trailResources(config: StageConfig, names: StageNames): Record<string, Resource> {
  const bucketArn = { 'Fn::GetAtt': ['TrailBucket', 'Arn'] };
  const objects = { 'Fn::Sub': '${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*' };
  const fromTrail = { StringEquals: { 'aws:SourceArn': trailArn(names) } };
  return {
    TrailBucket: {
      Type: 'AWS::S3::Bucket',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: encryption(config) }] },
        // The trail's files stay for CloudTrail's own 90 days of event history and beyond: only superseded versions expire.
        LifecycleConfiguration: { Rules: [{ Id: 'expire-superseded-versions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    },
    TrailBucketPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'TrailBucket' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'TrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: bucketArn, Condition: fromTrail },
            { Sid: 'TrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: objects, Condition: fromTrail },
            // The object ARN as a Join of the bucket's Arn: the form Control Tower's CT.S3.PR.8 recognises.
            { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        },
      },
    },
    Trail: {
      Type: 'AWS::CloudTrail::Trail',
      DependsOn: ['TrailBucketPolicy'],
      Properties: {
        TrailName: names.trail,
        S3BucketName: { Ref: 'TrailBucket' },
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
        ...(config.cloudtrail.kmsKeyArn === undefined ? {} : { KMSKeyId: config.cloudtrail.kmsKeyArn }),
      },
    },
  };
}
