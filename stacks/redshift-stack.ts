import { EstateStack } from './estate-stack';
import { Construct } from 'constructs';
import { Environment } from '../estate/schema';
import { redshiftPlans } from '../model/redshift/plan';
import { ImmutaRedshiftConnection } from '../constructs/redshift/immuta-redshift-connection';
import { RedshiftClusterGrants } from '../constructs/redshift/redshift-cluster-grants';

export interface RedshiftStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/**
 * The Redshift plane of one environment: per cluster, the Immuta (seed 000) and
 * Informatica (seed 002) users, roles, grants and masking, run through the Redshift
 * Data API. No provider: terraform_data is built into Terraform.
 */
export class RedshiftStack extends EstateStack {
  constructor(scope: Construct, id: string, props: RedshiftStackProps) {
    super(scope, id);
    for (const plan of redshiftPlans(props.environment)) {
      new RedshiftClusterGrants(this, plan.clusterId, { plan });
      if (plan.immuta) new ImmutaRedshiftConnection(this, `${plan.clusterId}-immuta`, { clusterId: plan.clusterId, connection: plan.immuta });
    }
  }
}
