import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { PolicyDocument, policyJson } from '../../../model/aws/policy-document';

export interface PolicyAttachedRoleProps {
  /** IAM role name, unique in the account (planned in model/aws/access-plan.ts). */
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
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyJson(props.trustPolicy),
    });
    new IamRolePolicyAttachment(this, 'policy', { role: this.role.name, policyArn: props.policyArn });
  }
}
