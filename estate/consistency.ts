import { awsNamesOf } from '../model/aws/access-plan';
import { partitionOf } from '../model/aws/partition';
import { postgresGrantStacks } from '../model/postgres/server-plan';
import { postgresPrivilegePlan } from '../model/postgres/privileges';
import {
  DATA_API_MAX_BATCH, hasRedshiftUnits, redshiftDatabaseGroups, redshiftPasswordSecretName, redshiftPasswordUsers, redshiftUnitDatabases,
} from '../model/redshift/plan';
import { ROLE_INLINE_POLICY_QUOTA, runnerRolePolicySize, secretArnAtLongest } from '../model/redshift/runner-access';
import {
  REDSHIFT_STACK_INSTANCE_BOUND, STACK_INSTANCE_BOUND, awsAccessStackName, grantGroupOf, postgresGrantStackName, postgresServerStackName, redshiftClusterStackName, redshiftDatabaseStackName, redshiftRunnerStackName,
} from '../model/stack-layout';
import { redshiftPasswordVariable, TERRAFORM_IDENTIFIER } from '../model/terraform-names';
import { DBUSER_ARN_PATTERN } from './names';
import { INFORMATICA_REGIONS } from './rules';
import { indexInFile } from './schema';
import type { Environment, Estate, PostgresServer, ProtectedDatabase, RedshiftCluster } from './schema';

/** Reports one problem at an estate path. */
export type IssueFn = (path: (string | number)[], message: string) => void;

/**
 * Rules that relate fields to each other: within a cluster or server, within an environment,
 * and across environments (names that must be unique per account or worldwide). Each
 * problem names the field it is about and the rule. They run on whatever part of the estate
 * passed its own field rules, so both kinds of problem are reported in one run.
 */
export function consistencyRules(estate: Estate, issue: IssueFn): void {
  const envNames = Object.keys(estate.environments).sort();
  for (const envName of envNames) environmentRules(envName, estate.environments[envName], issue);
  crossEnvironmentRules(estate, envNames, issue);
}

function environmentRules(envName: string, env: Environment, issue: IssueFn): void {
  const base = ['environments', envName];
  const partition = partitionOf(env.aws.region);
  const samePartition = (region: string, path: (string | number)[]) => {
    if (partitionOf(region) !== partition) issue(path, `region ${region} is in the ${partitionOf(region)} partition, but the environment's account (aws.region ${env.aws.region}) is in ${partition}`);
  };

  if (env.backend.type === 'cloud' && !env.backend.workspacePrefix === !env.backend.workspaceTags) {
    issue([...base, 'backend'], 'a cloud backend needs exactly one of workspacePrefix or workspaceTags');
  }
  unique(env.redshift.map((c) => c.id), (i) => issue([...base, 'redshift', indexInFile(env.redshift[i], i), 'id'], 'must be unique within the environment'));
  unique(env.postgres.map((s) => s.id), (i) => issue([...base, 'postgres', indexInFile(env.postgres[i], i), 'id'], 'must be unique within the environment'));

  runnerPolicyRules(envName, env, base, issue);
  const variables = new Map<string, (string | number)[]>();
  env.redshift.forEach((cluster, i) => {
    const at = [...base, 'redshift', indexInFile(cluster, i)];
    const clusterRegion = cluster.region ?? env.aws.region;
    if (cluster.region) samePartition(cluster.region, [...at, 'region']);
    const adminUser = 'dbUser' in cluster.admin ? cluster.admin.dbUser : undefined;
    const inf = cluster.informatica;
    if (inf) {
      if (!(clusterRegion in INFORMATICA_REGIONS)) {
        issue([...at, 'region'], `Informatica staging is supported only in ${Object.keys(INFORMATICA_REGIONS).join(', ')} (Informatica's Redshift connector requirements); cluster region is ${clusterRegion}`);
      }
      if (inf.stagingRegion && inf.stagingRegion !== clusterRegion) {
        issue([...at, 'informatica', 'stagingRegion'], `must be the cluster's region ${clusterRegion}: the S3 bucket and the Redshift cluster must reside in the same region (Informatica's Redshift connector requirements)`);
      }
      if (inf.agent === 'hosted-agent' && inf.authentication === 'iam') {
        issue([...at, 'informatica', 'authentication'], 'must be access-key with agent hosted-agent: the Hosted Agent does not support IAM authentication (Informatica\'s Redshift connector requirements)');
      }
      if (inf.temp && inf.temp.users.length + inf.temp.groups.length === 0) {
        issue([...at, 'informatica', 'temp'], 'must list at least one user or group to receive TEMP once it is revoked from PUBLIC (Informatica\'s Redshift connector requirements)');
      }
      const connector = inf.connectorUser?.name;
      if (connector && connector === adminUser) issue([...at, 'informatica', 'connectorUser', 'name'], `must not be the admin user ${adminUser}: destroying the connector user would drop the admin`);
    }
    const role = cluster.serviceRole;
    role?.regions?.forEach((r, j) => samePartition(r, [...at, 'serviceRole', 'regions', j]));
    role?.dbUserArns?.forEach((arn, j) => {
      const m = DBUSER_ARN_PATTERN.exec(arn);
      if (!m) return;
      const [, arnPartition, arnRegion, arnAccount, arnCluster] = m;
      const path = [...at, 'serviceRole', 'dbUserArns', j];
      if (arnPartition !== partition) issue(path, `is in the ${arnPartition} partition, but the environment's account is in ${partition}`);
      if (arnAccount !== env.aws.accountId) issue(path, `must be in the environment's account ${env.aws.accountId}`);
      if (arnCluster !== cluster.id) issue(path, `names cluster ${arnCluster}, but this service role belongs to cluster ${cluster.id}`);
      if (role.regions && !role.regions.includes(arnRegion)) issue(path, `region ${arnRegion} is not in serviceRole.regions, so this user could never assume the role`);
    });
    const im = cluster.immuta;
    if (im) {
      const iat = [...at, 'immuta'];
      unique(im.exemptUsers, (j) => issue([...iat, 'exemptUsers', j], 'is listed twice'));
      if (im.exemptUsers.includes(im.systemUser)) issue([...iat, 'exemptUsers'], 'must not contain the Immuta system user');
      if (im.systemUser === adminUser) issue([...iat, 'systemUser'], `must not be the admin user ${adminUser}: the stack creates, alters and may drop the system user`);
      if (inf?.connectorUser && im.systemUser === inf.connectorUser.name) issue([...iat, 'systemUser'], `must not be the Informatica connector user ${inf.connectorUser.name}: each is a user of its own`);
      if (im.database === cluster.database) issue([...iat, 'database'], `must not be the cluster's connect database ${cluster.database}: the Immuta database is created and may be dropped by the stack`);
      if (inf?.temp && im.database === inf.temp.database) issue([...iat, 'database'], `must not be the Informatica TEMP database ${inf.temp.database}`);
      protectedRules(im.protect, [...iat, 'protect'], im.database, issue);
      if (!hasDuplicateDatabase(im.protect)) {
        const groups = redshiftDatabaseGroups(im).map((g) => ({ ...g, stack: redshiftDatabaseStackName(envName, cluster.id, g.group) }));
        groupBoundRules(groups, REDSHIFT_STACK_INSTANCE_BOUND, im.protect, [...iat, 'protect'], issue);
      }
      im.protect.forEach((db, j) => {
        db.schemas.forEach((schema, k) => {
          if ((schema.tables?.length ?? 0) > DATA_API_MAX_BATCH) {
            issue([...iat, 'protect', j, 'schemas', k, 'tables'], `lists ${schema.tables!.length} tables, at most ${DATA_API_MAX_BATCH}: masking switches each listed table on in one Redshift Data API batch of at most ${DATA_API_MAX_BATCH} statements; omit tables to protect the whole schema`);
          }
        });
        if (db.tableOwners) issue([...iat, 'protect', j, 'tableOwners'], 'is PostgreSQL only: on Redshift, scoped permissions (GRANT ... FOR TABLES IN SCHEMA) cover the tables every owner creates; remove the field');
      });
      uniqueMappings(im.userMappings.map((m) => m.immutaUser), [...iat, 'userMappings'], issue);
    }
    // Password users become Terraform variable names: they must be valid and distinct.
    const passwordUsers: [string, (string | number)[]][] = [];
    if (im?.authentication === 'password') passwordUsers.push([im.systemUser, [...at, 'immuta', 'systemUser']]);
    if (inf?.connectorUser) passwordUsers.push([inf.connectorUser.name, [...at, 'informatica', 'connectorUser', 'name']]);
    for (const [user, path] of passwordUsers) {
      const variable = redshiftPasswordVariable(cluster.id, user);
      const first = variables.get(variable);
      if (!TERRAFORM_IDENTIFIER.test(variable)) issue(path, `becomes the Terraform variable name ${variable}, which may hold only letters, digits, underscores and hyphens: choose a name without $`);
      else if (first) issue(path, `becomes the Terraform variable ${variable}, which ${fieldName(first)} already uses (hyphens in cluster ids become underscores): rename one of the users`);
      else variables.set(variable, path);
    }
  });

  env.postgres.forEach((server, i) => {
    const at = [...base, 'postgres', indexInFile(server, i)];
    const aws = server.deployment === 'rds' || server.deployment === 'aurora';
    if (server.region) samePartition(server.region, [...at, 'region']);
    if (server.adminIamAuth && !aws) issue([...at, 'adminIamAuth'], 'IAM authentication exists only for rds and aurora deployments');
    const im = server.immuta;
    if (!im) return;
    const iat = [...at, 'immuta'];
    protectedRules(im.protect, [...iat, 'protect'], im.database, issue);
    if (im.systemRole === server.adminUsername) issue([...iat, 'systemRole'], `must not be the admin login ${server.adminUsername}: the stack creates, alters and may drop the system role`);
    if (im.authentication !== 'password') {
      if (!aws) issue([...iat, 'authentication'], `${im.authentication} is offered only for rds and aurora deployments (Immuta's PostgreSQL requirements); use password`);
      if (!server.resourceId) issue([...at, 'resourceId'], `is required for ${im.authentication} authentication: rds-db:connect is granted on dbuser:<resourceId>/<user> (Immuta's PostgreSQL requirements)`);
    }
    if (im.authentication === 'aws-assumed-role') {
      if (!im.immutaAwsAccountId) issue([...iat, 'immutaAwsAccountId'], 'is required for aws-assumed-role authentication: the trust policy names Immuta\'s account (Immuta\'s PostgreSQL requirements)');
      if (!im.externalId) issue([...iat, 'externalId'], 'is required for aws-assumed-role authentication: the trust policy must check sts:ExternalId (Immuta\'s PostgreSQL requirements)');
      if (im.systemRole.includes('$')) issue([...iat, 'systemRole'], 'is also the IAM role name with aws-assumed-role authentication, and IAM names cannot contain $');
    } else {
      if (im.immutaAwsAccountId) issue([...iat, 'immutaAwsAccountId'], 'is used only with aws-assumed-role authentication');
      if (im.externalId) issue([...iat, 'externalId'], 'is used only with aws-assumed-role authentication');
    }
    uniqueMappings(im.userMappings.map((m) => m.immutaUser), [...iat, 'userMappings'], issue);
    grantStackRules(envName, server, iat, issue);
    const roleOwners = new Map<string, number>();
    im.userMappings.forEach((m, j) => {
      const mat = [...iat, 'userMappings', j, 'aws'];
      if (m.aws && !aws) issue(mat, 'AWS principal mapping applies only to rds and aurora deployments (Immuta\'s PostgreSQL requirements)');
      if (m.aws && m.aws.type !== 'unset' && !m.aws.value) issue([...mat, 'value'], `is required for type ${m.aws.type}`);
      if (m.aws?.type === 'identity-center-user' && m.aws.value && !/^[0-9a-f-]{10,64}$/.test(m.aws.value)) {
        issue([...mat, 'value'], 'must be the numeric Identity Center User ID, not an e-mail address (Immuta\'s PostgreSQL requirements)');
      }
      if (m.aws?.type === 'iam-role' && m.aws.value) {
        const first = roleOwners.get(m.aws.value);
        if (first !== undefined) issue([...mat, 'value'], `is already mapped to userMappings[${first}]: only a single Immuta user can be mapped to an IAM role (Immuta's PostgreSQL requirements)`);
        else roleOwners.set(m.aws.value, j);
      }
    });
  });
}

/**
 * The runner role of a region gets a policy per cluster of that region, and IAM caps a role's
 * inline policies together: with an admin `dbUser`, every database the units run in adds a
 * resource, so many databases on one region's clusters would fail at apply.
 */
function runnerPolicyRules(envName: string, env: Environment, base: (string | number)[], issue: IssueFn): void {
  const byRegion = new Map<string, { i: number; cluster: RedshiftCluster; databases: string[] }[]>();
  env.redshift.forEach((cluster, i) => {
    if (!hasRedshiftUnits(cluster)) return;
    const region = cluster.region ?? env.aws.region;
    byRegion.set(region, [...(byRegion.get(region) ?? []), { i: indexInFile(cluster, i), cluster, databases: redshiftUnitDatabases(cluster) }]);
  });
  for (const [region, clusters] of byRegion) {
    const partition = partitionOf(region);
    const access = clusters.map(({ cluster, databases }) => ({
      clusterId: cluster.id, region, accountId: env.aws.accountId, partition, auth: cluster.admin, databases,
      passwordSecretArns: redshiftPasswordUsers(cluster).map((p) => secretArnAtLongest(partition, region, env.aws.accountId, redshiftPasswordSecretName(envName, cluster.id, p.user))),
    }));
    const size = runnerRolePolicySize(envName, region, env.aws.accountId, partition, access);
    if (size <= ROLE_INLINE_POLICY_QUOTA) continue;
    // The field to change: the dbUser cluster with the most databases.
    const withDbUser = clusters.filter(({ cluster }) => 'dbUser' in cluster.admin);
    const { i } = withDbUser.length ? withDbUser.reduce((a, b) => (b.databases.length > a.databases.length ? b : a)) : clusters[0];
    issue([...base, 'redshift', i, 'admin'], `the runner function's role in ${region} would hold ${size} characters of inline policy, more than IAM's ${ROLE_INLINE_POLICY_QUOTA}: with admin.dbUser, every database the units run in is a resource of its own (${clusters.map(({ cluster, databases }) => `${cluster.id}: ${databases.length}`).join(', ')}); authenticate with admin.secretArn, or protect fewer databases on this region's clusters`);
  }
}

/**
 * A stack of several protected databases stays under the bound, so that a change to one of
 * them plans in minutes (docs/stack-layout.md). One database is one stack whatever its size:
 * it cannot be split further.
 */
function grantStackRules(envName: string, server: PostgresServer, at: (string | number)[], issue: IssueFn): void {
  const im = server.immuta!;
  if (hasDuplicateDatabase(im.protect)) return;
  groupBoundRules(postgresGrantStacks(envName, server, postgresPrivilegePlan(server)), STACK_INSTANCE_BOUND, im.protect, [...at, 'protect'], issue);
}

/** A database listed twice is reported as such; the stack rules then have nothing sound to say. */
function hasDuplicateDatabase(protect: readonly ProtectedDatabase[]): boolean {
  return new Set(protect.map((db) => db.database)).size !== protect.length;
}

function groupBoundRules(
  groups: readonly { readonly stack: string; readonly databases: readonly string[]; readonly instances: number }[],
  bound: number, protect: readonly ProtectedDatabase[], at: (string | number)[], issue: IssueFn,
): void {
  for (const g of groups) {
    if (g.databases.length < 2 || g.instances <= bound) continue;
    const j = Math.max(...g.databases.map((name) => protect.findIndex((db) => db.database === name)));
    issue([...at, j, 'stack'], `puts the grants of ${g.databases.length} databases (${g.databases.join(', ')}) into stack ${g.stack}: ${g.instances} instances, more than ${bound}, and every change to one of them would plan them all; give some of them another stack`);
  }
}

/** Names that must be unique per account or worldwide, and state buckets that staging must not touch. */
function crossEnvironmentRules(estate: Estate, envNames: string[], issue: IssueFn): void {
  const fieldPath = (field: string) => field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const stateBuckets = new Map<string, string>();
  for (const envName of envNames) {
    const backend = estate.environments[envName].backend;
    if (backend.type === 's3') stateBuckets.set(backend.bucket, envName);
  }
  const stacks = new Map<string, string>();
  for (const envName of envNames) {
    for (const [name, field] of stackNamesOf(envName, estate.environments[envName])) {
      const first = stacks.get(name);
      if (first) issue(fieldPath(field), `gives the stack name ${name}, which ${first} gives too: stacks are named <environment>-<plane>-<server or cluster>[-<group>] (docs/stack-layout.md); rename one`);
      else stacks.set(name, field);
    }
  }
  const seen = new Map<string, string>();
  for (const envName of envNames) {
    const env = estate.environments[envName];
    for (const n of awsNamesOf(envName, env, indexInFile)) {
      if (n.kind === 'S3 bucket' && stateBuckets.has(n.name)) {
        issue(fieldPath(n.field), `is the Terraform state bucket of environment ${stateBuckets.get(n.name)}: a staging bucket gets an expiry rule and a policy of its own, so it must be a bucket of its own`);
      }
      const where = n.scope === 'global' ? '' : n.scope === 'account' ? env.aws.accountId : `${env.aws.accountId}/${n.region}`;
      // IAM compares names without case; other names are exact.
      const key = `${n.kind}|${where}|${n.kind.startsWith('IAM') ? n.name.toLowerCase() : n.name}`;
      const first = seen.get(key);
      if (first) issue(fieldPath(n.field), `${n.kind} name ${n.name} is already used by ${first}${n.scope === 'global' ? '' : ` in the same ${n.scope === 'account' ? 'account' : 'account and region'}`}; each needs its own`);
      else seen.set(key, n.field);
    }
  }
}

/** Each stack name with the estate field it comes from (stacks/app.ts gives these stacks). */
function stackNamesOf(envName: string, env: Environment): [string, string][] {
  const at = `environments.${envName}`;
  const names: [string, string][] = [[awsAccessStackName(envName), at], [redshiftRunnerStackName(envName), at]];
  env.redshift.forEach((c, i) => {
    if (!hasRedshiftUnits(c)) return;
    const cat = `${at}.redshift[${indexInFile(c, i)}]`;
    names.push([redshiftClusterStackName(envName, c.id), `${cat}.id`]);
    for (const [group, field] of groupFields(c.immuta?.protect ?? [], `${cat}.immuta`)) names.push([redshiftDatabaseStackName(envName, c.id, group), field]);
  });
  env.postgres.forEach((server, i) => {
    if (!server.immuta) return;
    const sat = `${at}.postgres[${indexInFile(server, i)}]`;
    names.push([postgresServerStackName(envName, server.id), `${sat}.id`]);
    for (const [group, field] of groupFields(server.immuta.protect, `${sat}.immuta`)) names.push([postgresGrantStackName(envName, server.id, group), field]);
  });
  return names;
}

/** Each group of protected databases with the field that first names it. */
function groupFields(protect: readonly ProtectedDatabase[], at: string): Map<string, string> {
  const groups = new Map<string, string>();
  protect.forEach((db, j) => {
    const group = grantGroupOf(db);
    if (!groups.has(group)) groups.set(group, `${at}.protect[${j}].${db.stack === undefined ? 'database' : 'stack'}`);
  });
  return groups;
}

function protectedRules(dbs: ProtectedDatabase[], at: (string | number)[], immutaDatabase: string, issue: IssueFn) {
  unique(dbs.map((d) => d.database), (i) => issue([...at, i, 'database'], 'is listed twice'));
  dbs.forEach((db, i) => {
    if (db.database === immutaDatabase) issue([...at, i, 'database'], 'is the Immuta database, which must not also be a protected database');
    unique(db.schemas.map((s) => s.name), (j) => issue([...at, i, 'schemas', j], 'is listed twice'));
    db.schemas.forEach((s, j) => unique(s.tables ?? [], (k) => issue([...at, i, 'schemas', j, 'tables', k], 'is listed twice')));
    unique(db.tableOwners ?? [], (j) => issue([...at, i, 'tableOwners', j], 'is listed twice'));
  });
}

/** Immuta keeps one mapping per Immuta user; user names compare without case. */
function uniqueMappings(users: string[], at: (string | number)[], issue: IssueFn) {
  unique(users.map((u) => u.toLowerCase()), (j) => issue([...at, j, 'immutaUser'], 'is mapped twice: Immuta keeps one mapping per user'));
}

/** The estate path as the error list prints it: environments.dev.redshift[0].id. */
export function fieldName(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : String(p)), '');
}

function unique(values: string[], onDuplicate: (index: number) => void) {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) onDuplicate(i);
    seen.add(v);
  });
}
