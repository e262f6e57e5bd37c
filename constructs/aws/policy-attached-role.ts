import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { IAM_NAME_PATTERN, IAM_ROLE_NAME_MAX } from '../../model/aws/names';
import { PolicyDocument, policyJson } from '../../model/aws/policy-document';
import { check, checkPattern } from './validation';

export interface PolicyAttachedRoleProps {
  /** IAM role name, unique in the account. */
  readonly roleName: string;
  /** Who may assume the role. */
  readonly trustPolicy: PolicyDocument;
  /** ARN of the customer managed policy the role gets. */
  readonly policyArn: string;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
}

/** An IAM role with one trust policy and one attached customer managed policy. */
export class PolicyAttachedRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PolicyAttachedRoleProps) {
    super(scope, id);
    checkPattern('PolicyAttachedRole', 'roleName', props.roleName, IAM_NAME_PATTERN, 'must use only letters, digits and +=,.@_-');
    check(props.roleName.length <= IAM_ROLE_NAME_MAX, 'PolicyAttachedRole', 'roleName', `must be at most ${IAM_ROLE_NAME_MAX} characters`);
    check(props.trustPolicy.Statement.length > 0, 'PolicyAttachedRole', 'trustPolicy', 'must have at least one statement');
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyJson(props.trustPolicy),
    });
    new IamRolePolicyAttachment(this, 'policy', { role: this.role.name, policyArn: props.policyArn });
  }
}
