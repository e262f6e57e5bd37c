import { CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces, TerraformStack } from 'cdktf';
import { Backend } from '../estate/schema';

/**
 * State location per environment, chosen in the estate. Every stack gets its own state
 * (key, workspace or file) so planes can be applied and reviewed independently.
 */
export function configureBackend(stack: TerraformStack, backend: Backend): void {
  const name = stack.node.id;
  switch (backend.type) {
    case 'local':
      new LocalBackend(stack, { path: `terraform.${name}.tfstate` });
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
