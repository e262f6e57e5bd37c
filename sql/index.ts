import { Estate } from '../estate/schema';
import { planEnvironment } from '../model/environment-plan';
import { SqlFile } from './files';
import { postgresSqlFiles } from './postgres';
import { redshiftSqlFiles } from './redshift';

/** Every reviewable SQL script of the estate, for the stacks that buildApp creates. */
export function sqlFilesForEstate(estate: Estate): SqlFile[] {
  return Object.keys(estate.environments).sort().flatMap((envName) => {
    const environment = estate.environments[envName];
    return [...postgresSqlFiles(envName, environment), ...redshiftSqlFiles(planEnvironment(envName, environment))];
  });
}
