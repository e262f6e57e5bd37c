import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Environment } from '../estate/schema';

export interface PostgresStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/** PLACEHOLDER: being written. */
export class PostgresStack extends TerraformStack {
  constructor(scope: Construct, id: string, _props: PostgresStackProps) {
    super(scope, id);
  }
}
