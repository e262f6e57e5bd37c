/**
 * What an audit reports: one finding per difference between what the plan expects a
 * database to hold and what its catalog holds. Shared by the PostgreSQL and Redshift audits,
 * the `npm run audit` report and the Redshift runner's drift check.
 */
export type FindingKind =
  /** Expected by the plan, absent from the catalog (a privilege, role, membership, database, setting). */
  | 'missing'
  /** Present, but without the grant option the plan expects. */
  | 'grant-option-missing'
  /** Held by an account the estate manages, beyond what the plan expects. */
  | 'extra'
  /** A role attribute or setting differs (LOGIN, CREATEROLE, masking, TEMP on PUBLIC, ...). */
  | 'attribute'
  /** A grant made onward by an account the estate manages: it blocks revoking the privilege it rests on. */
  | 'dependent-grant';

export interface Finding {
  readonly kind: FindingKind;
  /** `<environment>/<server or cluster id>`. */
  readonly target: string;
  /** The object, readable and stable, e.g. `table sales.public.orders` or `role immuta_system`. */
  readonly object: string;
  /** Who holds (or should hold) it, where that applies. */
  readonly grantee?: string;
  /** One sentence: what is expected and what was found. */
  readonly detail: string;
}
