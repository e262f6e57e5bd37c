import { accountRootArn, Partition } from './partition';
import { PolicyDocument, policyDocument } from './policy-document';

export interface RdsDbUser {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  /** The DbiResourceId of an RDS instance or Aurora cluster (db-... / cluster-...). */
  readonly resourceId: string;
  /** The database user the IAM token logs in as. */
  readonly dbUsername: string;
}

/** Immuta's PostgreSQL requirements: `arn:aws:rds-db:REGION:ACCOUNT:dbuser:RESOURCE_ID/DB_USERNAME`. */
export function rdsDbUserArn(u: RdsDbUser): string {
  return `arn:${u.partition}:rds-db:${u.region}:${u.accountId}:dbuser:${u.resourceId}/${u.dbUsername}`;
}

/** Immuta's PostgreSQL requirements' policy: `rds-db:connect` for one database user of one database, nothing else. */
export function rdsConnectPolicy(u: RdsDbUser): PolicyDocument {
  return policyDocument({ Effect: 'Allow', Action: 'rds-db:connect', Resource: rdsDbUserArn(u) });
}

/** Immuta's PostgreSQL requirements' trust policy: Immuta's account may assume the role when it presents the external id. */
export function immutaTrustPolicy(partition: Partition, immutaAccountId: string, externalId: string): PolicyDocument {
  return policyDocument({
    Sid: 'assumeRole',
    Effect: 'Allow',
    Principal: { AWS: accountRootArn(partition, immutaAccountId) },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
}
