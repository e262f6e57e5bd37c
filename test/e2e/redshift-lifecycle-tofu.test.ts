/** The Redshift plane's lifecycle end to end on OpenTofu (test/support/redshift-lifecycle-suite.ts). */
import { redshiftLifecycleSuite } from '../support/redshift-lifecycle-suite';

redshiftLifecycleSuite('tofu');
