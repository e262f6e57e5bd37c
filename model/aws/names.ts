import { createHash } from 'crypto';

/** IAM name length limits (roles and users 64, policies and instance profiles 128). */
export const IAM_ROLE_NAME_MAX = 64;
export const IAM_USER_NAME_MAX = 64;
export const IAM_POLICY_NAME_MAX = 128;

/**
 * Joins name parts with hyphens. A name over `max` is cut and ends in 8 hex digits of a
 * hash of the full name, so it stays unique and the same on every synth (the approach of
 * AWS CDK's generated physical names) instead of failing for long cluster identifiers.
 */
export function boundedName(parts: readonly string[], max: number): string {
  const full = parts.join('-');
  if (full.length <= max) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - hash.length - 1)}-${hash}`;
}
