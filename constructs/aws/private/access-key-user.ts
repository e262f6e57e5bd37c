import { IamAccessKey } from '@cdktf/provider-aws/lib/iam-access-key';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamUserPolicyAttachment } from '@cdktf/provider-aws/lib/iam-user-policy-attachment';
import { Construct } from 'constructs';
import { namedOutput } from './outputs';

export interface AccessKeyUserProps {
  /** IAM user name, unique in the account (planned in model/aws/access-plan.ts). */
  readonly userName: string;
  /** ARN of the customer managed policy the user gets; the user has no other permission. */
  readonly policyArn: string;
  /** Prefix of the two sensitive outputs `<prefix>_access_key_id` and `<prefix>_secret_access_key`: a terraformName. */
  readonly outputPrefix: string;
  /** Who uses the key, for the output descriptions. */
  readonly purpose: string;
}

/**
 * An IAM user whose only permission is one policy, and its access key. The key id and
 * secret leave Terraform only as sensitive outputs; the secret is in the state (AWS
 * returns it once, at creation), which is why state backends here are encrypted.
 */
export class AccessKeyUser extends Construct {
  readonly user: IamUser;
  readonly accessKey: IamAccessKey;

  constructor(scope: Construct, id: string, props: AccessKeyUserProps) {
    super(scope, id);
    this.user = new IamUser(this, 'user', { name: props.userName });
    new IamUserPolicyAttachment(this, 'policy', { user: this.user.name, policyArn: props.policyArn });
    this.accessKey = new IamAccessKey(this, 'key', { user: this.user.name });
    namedOutput(this, `${props.outputPrefix}_access_key_id`, this.accessKey.id, `Access key id for ${props.purpose}`, true);
    namedOutput(this, `${props.outputPrefix}_secret_access_key`, this.accessKey.secret, `Secret access key for ${props.purpose}`, true);
  }
}
