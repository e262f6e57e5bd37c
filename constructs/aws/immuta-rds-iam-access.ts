import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { RdsIamAuthentication } from '../../model/aws/access-plan';
import { immutaTrustPolicy, rdsConnectPolicy } from '../../model/aws/immuta-rds';
import { IAM_NAME_PATTERN, outputName } from '../../model/aws/names';
import { partitionOf } from '../../model/aws/partition';
import { EXTERNAL_ID, RDS_RESOURCE_ID } from '../../estate/names';
import { policyJson } from '../../model/aws/policy-document';
import { AccessKeyUser } from './access-key-user';
import { namedOutput } from './outputs';
import { PolicyAttachedRole } from './policy-attached-role';
import { check, checkAccountId, checkOwnerId, checkPattern, checkRegion } from './validation';

export interface ImmutaRdsIamAccessProps {
  /** Identifier of the PostgreSQL server in the estate; names the outputs. */
  readonly serverId: string;
  /** Region of the RDS instance or Aurora cluster. */
  readonly region: string;
  /** Account of the database. */
  readonly accountId: string;
  /** DbiResourceId of the instance (db-...) or cluster (cluster-...). */
  readonly resourceId: string;
  /** The database user Immuta logs in as; it needs the rds_iam role in PostgreSQL (Immuta's PostgreSQL requirements). */
  readonly dbUsername: string;
  /** Name of the customer managed policy allowing rds-db:connect. */
  readonly policyName: string;
  /**
   * `aws-assumed-role`: a role Immuta's account assumes with the external id, named as
   * the database user; `aws-access-key`: an IAM user with an access key (Immuta's PostgreSQL requirements).
   */
  readonly authentication: RdsIamAuthentication;
}

/**
 * Immuta's PostgreSQL requirements, Amazon Aurora or Amazon RDS: the IAM side of Immuta's connection. A policy
 * allowing only `rds-db:connect` as the one database user, and the principal Immuta
 * authenticates as. Outputs carry what Immuta's connection form asks for.
 */
export class ImmutaRdsIamAccess extends Construct {
  readonly policy: IamPolicy;
  /** The role Immuta assumes (aws-assumed-role only); other stacks read its ARN. */
  readonly role?: IamRole;

  constructor(scope: Construct, id: string, props: ImmutaRdsIamAccessProps) {
    super(scope, id);
    const name = 'ImmutaRdsIamAccess';
    checkOwnerId(name, 'serverId', props.serverId);
    checkRegion(name, 'region', props.region);
    checkAccountId(name, 'accountId', props.accountId);
    checkPattern(name, 'resourceId', props.resourceId, RDS_RESOURCE_ID.pattern, RDS_RESOURCE_ID.rule);
    checkPattern(name, 'dbUsername', props.dbUsername, /^[a-z_][a-z0-9_$]{0,62}$/, 'must be a lower-case PostgreSQL user name');
    checkPattern(name, 'policyName', props.policyName, IAM_NAME_PATTERN, 'must use only letters, digits and +=,.@_-');
    const partition = partitionOf(props.region);
    const auth = props.authentication;
    const out = (what: string) => outputName('postgres', props.serverId, 'immuta', what);

    this.policy = new IamPolicy(this, 'policy', {
      name: props.policyName,
      description: `rds-db:connect as ${props.dbUsername} on ${props.resourceId} for Immuta (Immuta's PostgreSQL requirements)`,
      policy: policyJson(rdsConnectPolicy({ partition, region: props.region, accountId: props.accountId, resourceId: props.resourceId, dbUsername: props.dbUsername })),
    });

    if (auth.type === 'aws-assumed-role') {
      check(auth.roleName === props.dbUsername, name, 'authentication.roleName', `must equal dbUsername ${props.dbUsername}: Immuta's Username field takes the IAM role name (Immuta\'s PostgreSQL requirements)`);
      checkAccountId(name, 'authentication.immutaAwsAccountId', auth.immutaAwsAccountId);
      checkPattern(name, 'authentication.externalId', auth.externalId, EXTERNAL_ID.pattern, EXTERNAL_ID.rule);
      const role = this.role = new PolicyAttachedRole(this, 'role', {
        roleName: auth.roleName,
        trustPolicy: immutaTrustPolicy(partition, auth.immutaAwsAccountId, auth.externalId),
        policyArn: this.policy.arn,
        description: `Assumed by Immuta (account ${auth.immutaAwsAccountId}) to connect to PostgreSQL ${props.serverId} (Immuta's PostgreSQL requirements)`,
      }).role;
      namedOutput(this, out('role_arn'), role.arn, `Immuta connection form, Role ARN, for ${props.serverId} (Immuta's PostgreSQL requirements, AWS Assumed Role)`);
      namedOutput(this, out('external_id'), auth.externalId, `Immuta connection form, External ID, for ${props.serverId} (Immuta's PostgreSQL requirements, AWS Assumed Role)`);
    } else {
      check(auth.type === 'aws-access-key', name, 'authentication.type', 'must be aws-assumed-role or aws-access-key (Immuta\'s PostgreSQL requirements)');
      new AccessKeyUser(this, 'user', {
        userName: auth.userName,
        policyArn: this.policy.arn,
        outputPrefix: outputName('postgres', props.serverId, 'immuta'),
        purpose: `Immuta's connection to PostgreSQL ${props.serverId} (Immuta\'s PostgreSQL requirements, AWS Access Key)`,
      });
    }
    namedOutput(this, out('username'), props.dbUsername, `Immuta connection form, Username, for ${props.serverId} (Immuta's PostgreSQL requirements)`);
  }
}
