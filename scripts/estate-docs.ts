import * as fs from 'fs';
import * as path from 'path';
import { estateReference } from '../estate/reference';

/** Writes docs/estate.md from the schema: `npm run docs`. */
const file = path.resolve(__dirname, '..', 'docs', 'estate.md');
fs.writeFileSync(file, estateReference());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
