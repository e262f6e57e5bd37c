import { EnvironmentPlan } from '../model/environment-plan';
import { SqlFile } from './files';
import { postgresSqlFiles } from './postgres';
import { redshiftSqlFiles } from './redshift';

/** Every reviewable SQL script of the estate, each in the folder of the stack that does the same. */
export function sqlFilesForPlans(plans: readonly EnvironmentPlan[]): SqlFile[] {
  return plans.flatMap((plan) => [...postgresSqlFiles(plan), ...redshiftSqlFiles(plan)]);
}
