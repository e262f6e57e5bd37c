import { exampleDocument as example, exampleProblems as problems } from '../support/example';

/**
 * The rules that keep a careless or hostile estate from becoming dangerous Terraform:
 * collisions, reserved targets, duplicates, names Immuta or Terraform would refuse.
 * Every case asserts the estate path and the rule's words.
 */

const dev = (d: any) => d.environments.dev;
const prod = (d: any) => d.environments.prod;
const rs = (d: any) => dev(d).redshift[0];
const pg = (d: any, i = 0) => dev(d).postgres[i];

type Case = [string, (doc: any) => void, RegExp];

const collisions: Case[] = [
  ['staging bucket is a state bucket', (d) => { rs(d).informatica.stagingBucket = 'example-prod-terraform-state'; },
    /environments\.dev\.redshift\[0\]\.informatica\.stagingBucket: is the Terraform state bucket of environment prod/],
  ['two environments, one staging bucket', (d) => { prod(d).redshift[0].informatica.stagingBucket = 'example-dev-informatica-staging'; },
    /environments\.prod\.redshift\[0\]\.informatica\.stagingBucket: S3 bucket name example-dev-informatica-staging is already used by environments\.dev\.redshift\[0\]\.informatica\.stagingBucket/],
  ['two environments in one account, one IAM role name', (d) => { prod(d).aws.accountId = '111122223333'; prod(d).redshift[0].serviceRole.name = 'RedshiftCopyUnloadDev'; },
    /environments\.prod\.redshift\[0\]\.serviceRole\.name: IAM role name RedshiftCopyUnloadDev is already used by environments\.dev\.redshift\[0\]\.serviceRole\.name in the same account/],
  ['IAM names compare without case', (d) => { prod(d).aws.accountId = '111122223333'; prod(d).redshift[0].serviceRole.name = 'redshiftcopyunloaddev'; },
    /serviceRole\.name: IAM role name redshiftcopyunloaddev is already used/],
  ['two environments in one account, one cluster id (policy, key alias)', (d) => { prod(d).aws.accountId = '111122223333'; prod(d).aws.region = 'us-east-1'; prod(d).backend = { type: 'local' }; prod(d).redshift[0].id = 'analytics-dev'; prod(d).redshift[0].endpoint = 'x.example.com'; prod(d).redshift[0].admin = { dbUser: 'awsuser' }; prod(d).redshift[0].informatica.stagingBucket = 'other-bucket'; },
    /environments\.prod\.redshift\[0\]\.id: IAM policy name analytics-dev-informatica-staging is already used by environments\.dev\.redshift\[0\]\.id/],
];

// Stack layout (docs/stack-layout.md).
const layout: Case[] = [
  ['a group of databases over the stack bound', (d) => {
    pg(d).immuta.protect[0].stack = 'shared';
    pg(d).immuta.protect[1].stack = 'shared';
    pg(d).immuta.protect[1].schemas = Array.from({ length: 400 }, (_, i) => `s${i}`);
  }, /environments\.dev\.postgres\[0\]\.immuta\.protect\[1\]\.stack: puts the grants of 2 databases \(billing, orders\) into stack dev-postgres-orders-pg-shared: \d+ instances, more than 1000/],
  ['a stack group that is not a name', (d) => { pg(d).immuta.protect[0].stack = 'Shared-1'; }, /postgres\[0\]\.immuta\.protect\[0\]\.stack: must be 1-63 lower-case letters, digits and underscores/],
  ['a group of Redshift databases over the stack bound', (d) => {
    rs(d).immuta.protect[0].stack = 'shared';
    rs(d).immuta.protect[1].stack = 'shared';
    rs(d).immuta.protect[1].schemas = Array.from({ length: 150 }, (_, i) => `s${i}`);
  }, /environments\.dev\.redshift\[0\]\.immuta\.protect\[1\]\.stack: puts the grants of 2 databases \(marketing, sales\) into stack dev-redshift-analytics-dev-shared: 305 instances, more than 300/],
  ['more databases than the runner role\'s IAM policy quota holds with admin.dbUser', (d) => {
    for (let k = 0; k < 140; k++) rs(d).immuta.protect.push({ database: `db_${k}`, schemas: ['s'] });
  }, /environments\.dev\.redshift\[0\]\.admin: the runner function's role in us-east-1 would hold \d+ characters of inline policy, more than IAM's 10240: .*\(analytics-dev: 143\); authenticate with admin\.secretArn/],
  ['a Redshift database stack named like another cluster\'s stack', (d) => {
    dev(d).redshift.push({ id: 'analytics-dev-sales', endpoint: 'other.example.com', admin: { dbUser: 'awsuser' }, informatica: { authentication: 'iam', stagingBucket: 'example-dev-other-staging', temp: { database: 'sales', users: ['informatica_loader'] } } });
  }, /environments\.dev\.redshift\[1\]\.id: gives the stack name dev-redshift-analytics-dev-sales, which environments\.dev\.redshift\[0\]\.immuta\.protect\[0\]\.database gives too/],
  ['a grant stack named like another server\'s stack', (d) => { pg(d).id = 'orders'; pg(d).immuta.protect[0].stack = 'rds'; pg(d, 1).id = 'orders-rds'; },
    /environments\.dev\.postgres\[1\]\.id: gives the stack name dev-postgres-orders-rds, which environments\.dev\.postgres\[0\]\.immuta\.protect\[0\]\.stack gives too/],
];

const cases: Case[] = [
  ...collisions,
  ...layout,
  // Names Terraform cannot take.
  ['a $ in a password user becomes an invalid variable name', (d) => { rs(d).immuta.systemUser = 'immuta$sys'; },
    /environments\.dev\.redshift\[0\]\.immuta\.systemUser: becomes the Terraform variable name redshift_analytics_dev_immuta\$sys_password/],
  ['a $ in an assumed-role system role', (d) => { pg(d, 1).immuta.systemRole = 'immuta$rds'; },
    /environments\.dev\.postgres\[1\]\.immuta\.systemRole: is also the IAM role name with aws-assumed-role authentication, and IAM names cannot contain \$/],
  // Dangerous targets.
  ['PostgreSQL Immuta database postgres', (d) => { pg(d).immuta.database = 'postgres'; }, /environments\.dev\.postgres\[0\]\.immuta\.database: immuta\.database must not be postgres/],
  ['PostgreSQL Immuta database template1', (d) => { pg(d).immuta.database = 'template1'; }, /environments\.dev\.postgres\[0\]\.immuta\.database: immuta\.database is a system database/],
  ['protected database pg_catalog', (d) => { pg(d).immuta.protect[0].database = 'pg_catalog'; }, /postgres\[0\]\.immuta\.protect\[0\]\.database: database name is a system database/],
  ['protected schema information_schema', (d) => { pg(d).immuta.protect[0].schemas[0] = 'information_schema'; }, /protect\[0\]\.schemas\[0\]: schema name is a system catalog schema/],
  ['Redshift Immuta database is the connect database', (d) => { rs(d).immuta.database = 'dev'; }, /environments\.dev\.redshift\[0\]\.immuta\.database: must not be the cluster's connect database dev/],
  ['Redshift Immuta database is the TEMP database', (d) => { prod(d).redshift[0].immuta.database = 'staging'; prod(d).redshift[0].informatica.temp.database = 'staging'; },
    /environments\.prod\.redshift\[0\]\.immuta\.database: must not be the Informatica TEMP database staging/],
  ['Immuta system user is the admin', (d) => { rs(d).immuta.systemUser = 'awsuser'; }, /environments\.dev\.redshift\[0\]\.immuta\.systemUser: must not be the admin user awsuser/],
  ['Immuta system user is the connector user', (d) => { rs(d).immuta.systemUser = 'informatica_loader'; }, /environments\.dev\.redshift\[0\]\.immuta\.systemUser: must not be the Informatica connector user informatica_loader/],
  ['connector user is the admin', (d) => { rs(d).informatica.connectorUser.name = 'awsuser'; }, /informatica\.connectorUser\.name: must not be the admin user awsuser/],
  ['PostgreSQL system role is the admin login', (d) => { pg(d).immuta.systemRole = 'app_admin'; pg(d).adminUsername = 'app_admin'; }, /environments\.dev\.postgres\[0\]\.immuta\.systemRole: must not be the admin login app_admin/],
  ['table owner public', (d) => { pg(d).immuta.protect[1].tableOwners = ['public']; }, /protect\[1\]\.tableOwners\[0\]: table owner must be a role that creates tables, not public/],
  ['table owner pg_monitor', (d) => { pg(d).immuta.protect[1].tableOwners = ['pg_monitor']; }, /protect\[1\]\.tableOwners\[0\]: table owner must be a role that creates tables/],
  ['exempt user immuta_exemption', (d) => { rs(d).immuta.exemptUsers.push('immuta_exemption'); }, /immuta\.exemptUsers\[2\]: exempt user must not be immuta_exemption/],
  // Silent changes of meaning.
  ['a table listed twice', (d) => { rs(d).immuta.protect[0].schemas[1].tables.push('invoices'); }, /redshift\[0\]\.immuta\.protect\[0\]\.schemas\[1\]\.tables\[2\]: is listed twice/],
  ['table owners on Redshift', (d) => { rs(d).immuta.protect[0].tableOwners = ['loader']; },
    /environments\.dev\.redshift\[0\]\.immuta\.protect\[0\]\.tableOwners: is PostgreSQL only: on Redshift, scoped permissions .* remove the field/],
  ['a table owner listed twice', (d) => { pg(d).immuta.protect[1].tableOwners.push('billing_app'); }, /protect\[1\]\.tableOwners\[2\]: is listed twice/],
  ['an Immuta user mapped twice on Redshift', (d) => { rs(d).immuta.userMappings.push({ immutaUser: 'Alice@example.com', redshiftUser: 'alice2' }); },
    /redshift\[0\]\.immuta\.userMappings\[2\]\.immutaUser: is mapped twice/],
  ['an Immuta user mapped twice on PostgreSQL', (d) => { pg(d).immuta.userMappings.push({ immutaUser: 'alice@example.com', postgres: 'none' }); },
    /postgres\[0\]\.immuta\.userMappings\[3\]\.immutaUser: is mapped twice/],
  ['two Immuta users mapped to one IAM role', (d) => { pg(d, 1).immuta.userMappings.push({ immutaUser: 'frank@example.com', aws: { type: 'iam-role', value: 'arn:aws:iam::111122223333:role/analyst' } }); },
    /postgres\[1\]\.immuta\.userMappings\[2\]\.aws\.value: is already mapped to userMappings\[0\]: only a single Immuta user can be mapped to an IAM role \(Immuta's PostgreSQL requirements\)/],
  ['a made-up service-role region', (d) => { rs(d).serviceRole.regions = ['us-east-1', 'us-fake-9']; }, /serviceRole\.regions\.1: serviceRole\.regions\[\] must be an AWS region such as us-east-1; "us-fake-9" is not one|serviceRole\.regions\[1\]: serviceRole\.regions\[\] must be an AWS region such as us-east-1; "us-fake-9" is not one/],
  ['a made-up environment region', (d) => { dev(d).aws.region = 'eu-moon-1'; }, /environments\.dev\.aws\.region: aws\.region must be an AWS region such as us-east-1; "eu-moon-1" is not one/],
  ['a dbUserArn naming another cluster', (d) => { rs(d).serviceRole.dbUserArns[0] = 'arn:aws:redshift:us-east-1:111122223333:dbuser:other-cluster/etl_loader'; },
    /serviceRole\.dbUserArns\[0\]: names cluster other-cluster, but this service role belongs to cluster analytics-dev/],
  ['a dbUserArn in another partition', (d) => { rs(d).serviceRole.dbUserArns[0] = 'arn:aws-cn:redshift:us-east-1:111122223333:dbuser:analytics-dev/etl_loader'; },
    /serviceRole\.dbUserArns\[0\]: is in the aws-cn partition, but the environment's account is in aws/],
  ['an RDS server in another partition', (d) => { pg(d, 1).region = 'cn-north-1'; }, /environments\.dev\.postgres\[1\]\.region: region cn-north-1 is in the aws-cn partition/],
  ['a cluster in another partition', (d) => { rs(d).region = 'us-gov-west-1'; }, /environments\.dev\.redshift\[0\]\.region: region us-gov-west-1 is in the aws-us-gov partition/],
  ['a cluster id with two hyphens in a row', (d) => { rs(d).id = 'analytics--dev'; }, /redshift\[0\]\.id: must be a Redshift cluster identifier: 1-63 lower-case letters.*no two hyphens in a row/],
  ['a cluster id ending in a hyphen', (d) => { rs(d).id = 'analytics-'; }, /redshift\[0\]\.id: must be a Redshift cluster identifier.*no hyphen at the end/],
  // Display names Immuta refuses.
  ['a homoglyph of a restricted word', (d) => { rs(d).immuta.displayName = 'd\u0430ta'; }, /redshift\[0\]\.immuta\.displayName: must contain only ASCII letters, digits, hyphens and underscores/],
  ['a look-alike dot', (d) => { rs(d).immuta.displayName = 'a\u2024b'; }, /displayName: must contain only ASCII letters/],
  ['a full-width dot', (d) => { rs(d).immuta.displayName = 'a\uff0eb'; }, /displayName: must contain only ASCII letters/],
  ['a right-to-left override', (d) => { rs(d).immuta.displayName = 'abc\u202edef'; }, /displayName: must contain only ASCII letters/],
  ['a zero-width space', (d) => { rs(d).immuta.displayName = 'ab\u200bc'; }, /displayName: must contain only ASCII letters/],
  ['a restricted word in upper case', (d) => { rs(d).immuta.displayName = 'SYNC'; }, /displayName: must not be an Immuta restricted word, in any case/],
  // cdktf's token marker would be resolved as a reference, past the literal boundary.
  ['a cdktf token marker in free text', (d) => { rs(d).immuta.userMappings[0].immutaUser = '${TfToken[TOKEN.1]}'; },
    /environments\.dev\.redshift\[0\]\.immuta\.userMappings\[0\]\.immutaUser: must not contain TfToken\[, which cdktf reserves for references/],
  // Informatica's Hosted Agent.
  ['Hosted Agent with IAM authentication', (d) => { rs(d).informatica.agent = 'hosted-agent'; },
    /redshift\[0\]\.informatica\.authentication: must be access-key with agent hosted-agent: the Hosted Agent does not support IAM authentication/],
  // Limits stated in the message.
  ['41 listed tables in one Redshift schema', (d) => { rs(d).immuta.protect[0].schemas[1].tables = Array.from({ length: 41 }, (_, i) => `t${i}`); },
    /environments\.dev\.redshift\[0\]\.immuta\.protect\[0\]\.schemas\[1\]\.tables: lists 41 tables, at most 40: masking switches each listed table on in one Redshift Data API batch/],
  ['a 42-character PostgreSQL id', (d) => { pg(d).id = `a${'b'.repeat(41)}`; }, /postgres\[0\]\.id: must be 1-41 lower-case letters/],
  ['a bad DynamoDB table name', (d) => { prod(d).backend.dynamodbTable = 'x'; }, /environments\.prod\.backend\.dynamodbTable: must be a DynamoDB table name: 3-255 letters/],
];

describe('estate rules name the field and the rule', () => {
  test.each(cases)('%s', (_name, mutate, expected) => {
    expect(problems(mutate).join('\n')).toMatch(expected);
  });

  test('password variables that collide once hyphens become underscores are rejected', () => {
    const found = problems((d) => {
      const other = example().environments.dev.redshift[0];
      dev(d).redshift.push({
        id: 'analytics', endpoint: 'analytics.example.com', admin: { dbUser: 'awsuser' },
        immuta: { ...other.immuta, displayName: 'other', systemUser: 'dev_immuta_system' },
      });
    });
    expect(found.join('\n')).toMatch(/environments\.dev\.redshift\[1\]\.immuta\.systemUser: becomes the Terraform variable redshift_analytics_dev_immuta_system_password, which environments\.dev\.redshift\[0\]\.immuta\.systemUser already uses/);
  });

  test('Hosted Agent with access-key authentication is valid', () => {
    expect(problems((d) => { prod(d).redshift[0].informatica.agent = 'hosted-agent'; })).toEqual([]);
  });
});

describe('all problems in one run', () => {
  test('field errors and consistency errors of different clusters and environments come together', () => {
    const found = problems((d) => {
      pg(d).majorVersion = 15;                                   // field rule, dev postgres[0]
      rs(d).immuta.database = 'dev';                             // consistency rule, dev redshift[0]
      prod(d).postgres[0].deployment = 'mainframe';              // field rule, prod postgres[0]
      prod(d).redshift[0].informatica.stagingBucket = 'example-prod-terraform-state'; // cross-environment rule
      pg(d, 1).immuta.userMappings.push({ immutaUser: 'dave@example.com' }); // consistency, dev postgres[1]
    });
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^environments\.dev\.postgres\[0\]\.majorVersion: must be one of 16, 17/),
      expect.stringMatching(/^environments\.dev\.redshift\[0\]\.immuta\.database: must not be the cluster's connect database/),
      expect.stringMatching(/^environments\.prod\.postgres\[0\]\.deployment: /),
      expect.stringMatching(/^environments\.prod\.redshift\[0\]\.informatica\.stagingBucket: is the Terraform state bucket/),
      expect.stringMatching(/^environments\.dev\.postgres\[1\]\.immuta\.userMappings\[2\]\.immutaUser: is mapped twice/),
    ]));
    expect(found).toHaveLength(5);
  });

  test('a consistency error after a failing item keeps the item\'s own index in the file', () => {
    const found = problems((d) => {
      pg(d).majorVersion = 15; // postgres[0] fails its field rules and is left out
      pg(d, 1).immuta.systemRole = 'dbadmin'; // postgres[1]: system role is the admin login
    });
    expect(found).toContain('environments.dev.postgres[1].immuta.systemRole: must not be the admin login dbadmin: the stack creates, alters and may drop the system role');
  });
});
