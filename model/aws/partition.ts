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

export function arn(region: string, service: string, account: string, resource: string, arnRegion = region): string {
  return `arn:${partitionOf(region)}:${service}:${arnRegion}:${account}:${resource}`;
}
