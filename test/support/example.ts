/**
 * The example estate, the one loader every test uses: a fresh copy on each call, so a test
 * that mutates it cannot leak into another.
 */
import * as fs from 'fs';
import { parse } from 'yaml';
import { EXAMPLE_ESTATE_FILE, EstateError, loadEstateFile, parseEstate } from '../../estate/load';
import { Estate } from '../../estate/schema';

/** The example, validated. */
export function exampleEstate(): Estate {
  return loadEstateFile(EXAMPLE_ESTATE_FILE);
}

/** The example as the YAML document, before validation: for tests that break it on purpose. */
export function exampleDocument(): any {
  return parse(fs.readFileSync(EXAMPLE_ESTATE_FILE, 'utf8'));
}

/** The problems the estate rules report for a copy of the example changed by `mutate` (none: []). */
export function exampleProblems(mutate: (doc: any) => void): string[] {
  const doc = exampleDocument();
  mutate(doc);
  try {
    parseEstate(doc);
  } catch (e) {
    if (e instanceof EstateError) return e.problems;
    throw e;
  }
  return [];
}
