import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Environment } from '../estate/schema';

export interface RedshiftStackProps {
  /** Environment name from the estate (dev, prod, ...). */
  readonly envName: string;
  /** The validated environment. */
  readonly environment: Environment;
}

/** PLACEHOLDER: being written. */
export class RedshiftStack extends TerraformStack {
  constructor(scope: Construct, id: string, _props: RedshiftStackProps) {
    super(scope, id);
  }
}
