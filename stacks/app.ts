import { App, TerraformStack } from 'cdktf';
import { Estate } from '../estate/schema';
import { AwsAccessStack } from './aws-access-stack';
import { PostgresStack } from './postgres-stack';
import { addRedshiftStacks } from './redshift-stacks';
import { planEnvironment } from '../model/environment-plan';
import { configureBackend } from './backend';

/**
 * One stack per environment and plane. Names read as `<environment>-<plane>` so that
 * `cdktf list` says what each stack is. Environments are taken in sorted order so the
 * manifest does not depend on the order of keys in the estate file.
 */
export function buildApp(app: App, estate: Estate): void {
  for (const envName of Object.keys(estate.environments).sort()) {
    const environment = estate.environments[envName];
    const awsAccess = new AwsAccessStack(app, `${envName}-aws-access`, { envName, environment });
    const stacks: TerraformStack[] = [awsAccess];
    if (environment.postgres.some((s) => s.immuta)) {
      stacks.push(new PostgresStack(app, `${envName}-postgres`, { envName, environment }));
    }
    stacks.push(...addRedshiftStacks(app, planEnvironment(envName, environment)));
    for (const stack of stacks) configureBackend(stack, environment.backend);
  }
}
