/**
 * Facts taken from the vendor documents (Immuta's Redshift and PostgreSQL requirements,
 * Informatica's Redshift connector requirements, the Redshift IAM role guide). Every rule that
 * cites one reads its data from here, so a newer document means one edit.
 */

/** Immuta's Redshift and PostgreSQL requirements: a connection display name cannot be any of these words. */
export const IMMUTA_RESTRICTED_WORDS: readonly string[] = [
  'data', 'connection', 'object', 'crawl', 'search', 'settings',
  'metadata', 'permission', 'sync', 'bulk', 'upgrade',
];

/** Immuta's PostgreSQL requirements: Immuta supports PostgreSQL 16 and 17 only. */
export const SUPPORTED_POSTGRES_MAJOR_VERSIONS: readonly number[] = [16, 17];

/**
 * Informatica's Redshift connector requirements: regions the Informatica Amazon Redshift connector supports, by the names the
 * document uses. "AWS GovCloud" is read as GovCloud (US-West), the region that name meant
 * when the document was written; see docs/informatica-regions.md.
 */
export const INFORMATICA_REGIONS: Readonly<Record<string, string>> = {
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'us-gov-west-1': 'AWS GovCloud',
  'ca-central-1': 'Canada (Central)',
  'cn-north-1': 'China (Beijing)',
  'eu-west-1': 'EU (Ireland)',
  'eu-central-1': 'EU (Frankfurt)',
  'sa-east-1': 'South America (Sao Paulo)',
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
};

/** The Redshift IAM role guide: the policies the console flow attaches to a Redshift service role. */
export const REDSHIFT_SERVICE_ROLE_DEFAULT_POLICIES: readonly string[] = [
  'AmazonS3ReadOnlyAccess',
  'AWSGlueConsoleFullAccess',
];

/** Immuta's Redshift requirements: the role whose members Immuta's data policies do not apply to. */
export const IMMUTA_EXEMPTION_ROLE = 'immuta_exemption';

/** Immuta's PostgreSQL requirements: the RDS role that lets a database user log in with an IAM token. */
export const RDS_IAM_ROLE = 'rds_iam';
