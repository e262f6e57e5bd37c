/**
 * ARNs and service principals differ by AWS partition; computing them from the region
 * (instead of a data source) keeps the synthesized JSON readable and plan-free.
 */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The IAM ARN of an account's root principal (used for cross-account trust and key admin). */
export function accountRootArn(partition: Partition, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

/** An AWS managed policy: `arn:<partition>:iam::aws:policy/<name>` (name may carry a path). */
export function managedPolicyArn(partition: Partition, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** IAM ARNs carry no region: `arn:<partition>:iam::<account>:role/<name>` and the like. */
export function iamArn(partition: Partition, accountId: string, resource: string): string {
  return `arn:${partition}:iam::${accountId}:${resource}`;
}

export function s3BucketArn(partition: Partition, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/**
 * Service principals are `<service>.amazonaws.com` in every partition (AWS unified them;
 * the China `.amazonaws.com.cn` forms are legacy aliases). The Redshift IAM role guide's region-restricted
 * form is `<service>.<region>.amazonaws.com`.
 */
export function servicePrincipal(service: string, region?: string): string {
  return region ? `${service}.${region}.amazonaws.com` : `${service}.amazonaws.com`;
}
