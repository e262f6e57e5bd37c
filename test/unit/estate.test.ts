import { EXAMPLE_ESTATE_FILE, loadEstateFile } from '../../estate/load';
import { exampleProblems as problems } from '../support/example';


describe('estate loading', () => {
  test('the example estate is valid', () => {
    const estate = loadEstateFile(EXAMPLE_ESTATE_FILE);
    expect(Object.keys(estate.environments).sort()).toEqual(['dev', 'prod']);
  });

  test('a missing file is an EstateError naming the file', () => {
    expect(() => loadEstateFile('/nonexistent/estate.yaml')).toThrow(/\/nonexistent\/estate.yaml[\s\S]*cannot read/);
  });

  test('duplicate YAML keys are rejected', () => {
    const { loadEstateText } = jest.requireActual('../../estate/load');
    expect(() => loadEstateText('environments:\n  dev: {}\n  dev: {}\n')).toThrow(/YAML/);
  });
});

describe('validation rules name the field and the rule', () => {
  const cases: [string, (doc: any) => void, RegExp][] = [
    ['display name with a period', (d) => { d.environments.dev.redshift[0].immuta.displayName = 'analytics.dev'; }, /environments\.dev\.redshift\[0\]\.immuta\.displayName: must contain only ASCII letters, digits, hyphens and underscores/],
    ['display name is a restricted word', (d) => { d.environments.dev.postgres[0].immuta.displayName = 'Metadata'; }, /environments\.dev\.postgres\[0\]\.immuta\.displayName: must not be an Immuta restricted word/],
    ['unsupported PostgreSQL version', (d) => { d.environments.dev.postgres[0].majorVersion = 15; }, /environments\.dev\.postgres\[0\]\.majorVersion: must be one of 16, 17/],
    ['Informatica in an unsupported region', (d) => { d.environments.dev.aws.region = 'ap-east-1'; d.environments.dev.redshift[0].serviceRole.regions = ['ap-east-1']; d.environments.dev.redshift[0].serviceRole.dbUserArns = undefined; }, /environments\.dev\.redshift\[0\]\.region: Informatica staging is supported only in/],
    ['Informatica staging in another region than the cluster', (d) => { d.environments.dev.redshift[0].informatica.stagingRegion = 'us-west-2'; }, /informatica\.stagingRegion: must be the cluster's region us-east-1/],
    ['malformed database-user ARN', (d) => { d.environments.dev.redshift[0].serviceRole.dbUserArns[0] = 'arn:aws:redshift:us-east-1:111122223333:user:analytics-dev/etl'; }, /serviceRole\.dbUserArns\[0\]: must be a database-user ARN of the form arn:aws:redshift:region:account-id:dbuser:cluster-name\/user-name/],
    ['database user in a region the role does not allow', (d) => { d.environments.dev.redshift[0].serviceRole.regions = ['us-east-1']; }, /serviceRole\.dbUserArns\[1\]: region us-west-2 is not in serviceRole\.regions/],
    ['account id not 12 digits', (d) => { d.environments.dev.aws.accountId = '12345'; }, /environments\.dev\.aws\.accountId: must be an AWS account id of exactly 12 digits/],
    ['account id as a YAML number', (d) => { d.environments.dev.aws.accountId = 111122223333; }, /environments\.dev\.aws\.accountId: must be a string of 12 digits/],
    ['assumed role without external id', (d) => { delete d.environments.dev.postgres[1].immuta.externalId; }, /environments\.dev\.postgres\[1\]\.immuta\.externalId: is required for aws-assumed-role authentication/],
    ['assumed role without Immuta account', (d) => { delete d.environments.dev.postgres[1].immuta.immutaAwsAccountId; }, /immuta\.immutaAwsAccountId: is required for aws-assumed-role/],
    ['IAM authentication without resource id', (d) => { delete d.environments.dev.postgres[1].resourceId; }, /environments\.dev\.postgres\[1\]\.resourceId: is required for aws-assumed-role authentication/],
    ['IAM authentication on a self-managed server', (d) => { d.environments.dev.postgres[0].immuta.authentication = 'aws-access-key'; }, /postgres\[0\]\.immuta\.authentication: aws-access-key is offered only for rds and aurora/],
    ['SQL injection in a schema name', (d) => { d.environments.dev.postgres[0].immuta.protect[0].schemas[0] = 'public"; DROP TABLE x; --'; }, /protect\[0\]\.schemas\[0\]: schema name must be a lower-case SQL identifier/],
    ['SQL injection in a user name', (d) => { d.environments.dev.redshift[0].immuta.exemptUsers[0] = "x' OR '1'='1"; }, /immuta\.exemptUsers\[0\]: exempt user must be a lower-case SQL identifier/],
    ['reserved role name', (d) => { d.environments.dev.postgres[0].immuta.systemRole = 'pg_monitor'; }, /immuta\.systemRole: immuta\.systemRole is reserved/],
    ['unknown field', (d) => { d.environments.dev.redshift[0].immuta.exemptUser = ['x']; }, /redshift\[0\]\.immuta: unknown field\(s\) exemptUser/],
    ['half-specified cloud backend', (d) => { d.environments.prod.backend = { type: 'cloud', organization: 'acme' }; }, /environments\.prod\.backend: a cloud backend needs exactly one of workspacePrefix or workspaceTags/],
    ['S3 backend without bucket', (d) => { delete d.environments.prod.backend.bucket; }, /environments\.prod\.backend\.bucket: Required/],
    ['TEMP revoked from PUBLIC with nobody to grant it to', (d) => { d.environments.prod.redshift[0].informatica.temp.groups = []; }, /redshift\[0\]\.informatica\.temp: must list at least one user or group/],
    ['duplicate protected schema', (d) => { d.environments.dev.postgres[0].immuta.protect[0].schemas.push('public'); }, /protect\[0\]\.schemas\[2\]: is listed twice/],
    ['Identity Center e-mail instead of user id', (d) => { d.environments.dev.postgres[1].immuta.userMappings[1].aws.value = 'erin@example.com'; }, /userMappings\[1\]\.aws\.value: must be the numeric Identity Center User ID/],
  ];

  test.each(cases)('%s', (_name, mutate, expected) => {
    const found = problems(mutate);
    expect(found.join('\n')).toMatch(expected);
  });
});
