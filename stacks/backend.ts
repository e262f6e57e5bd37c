import { CloudBackend, DataTerraformRemoteStateLocal, LocalBackend, NamedCloudWorkspace, ref, S3Backend, TaggedCloudWorkspaces, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * Local state lives in the project root (the parent of cdktf.out), where a new synth never
 * deletes it. The path is relative to the stack's folder, cdktf.out/stacks/<stack>, and so
 * the same for every stack: cdktf's own default is an absolute path, which would put this
 * machine's folder names into cdk.tf.json.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/** A local backend whose cross-stack reads use the same relative path as its writes. */
class ProjectLocalBackend extends LocalBackend {
  constructor(stack: TerraformStack) {
    super(stack, { path: localStatePath(stack.node.id) });
  }

  getRemoteStateDataSource(scope: Construct, name: string, fromStack: string) {
    return new DataTerraformRemoteStateLocal(scope, name, { path: localStatePath(fromStack), workspace: Token.asString(ref('terraform.workspace')) });
  }
}
import { Backend } from '../estate/schema';

/**
 * State location per environment, chosen in the estate. Every stack gets its own state
 * (key, workspace or file) so planes can be applied and reviewed independently.
 */
export function configureBackend(stack: TerraformStack, backend: Backend): void {
  const name = stack.node.id;
  switch (backend.type) {
    case 'local':
      new ProjectLocalBackend(stack);
      return;
    case 's3': {
      new S3Backend(stack, {
        bucket: backend.bucket,
        key: `${backend.keyPrefix}/${name}.tfstate`,
        region: backend.region,
        encrypt: true,
        dynamodbTable: backend.dynamodbTable,
      });
      // S3-native locking (Terraform >= 1.10) unless a DynamoDB table is named; cdktf 0.21 has no prop for it.
      if (!backend.dynamodbTable) stack.addOverride('terraform.backend.s3.use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        organization: backend.organization,
        hostname: backend.hostname,
        workspaces: backend.workspacePrefix
          ? new NamedCloudWorkspace(`${backend.workspacePrefix}-${name}`)
          : new TaggedCloudWorkspaces([...backend.workspaceTags!, `stack:${name}`]),
      });
      return;
  }
}
