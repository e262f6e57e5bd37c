import { Testing } from 'cdktf';
// Brings the matcher declarations (toHaveResourceWithProperties, toBeValidTerraform, ...) into every test's types.
import type {} from 'cdktf/lib/testing/adapters/jest';

// Registers cdktf's matchers at run time.
Testing.setupJest();
