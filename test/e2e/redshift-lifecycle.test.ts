/** The Redshift plane's lifecycle end to end on Terraform (test/support/redshift-lifecycle-suite.ts). */
import { redshiftLifecycleSuite } from '../support/redshift-lifecycle-suite';

redshiftLifecycleSuite('terraform');
