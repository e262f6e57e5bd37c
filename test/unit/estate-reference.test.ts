import * as fs from 'fs';
import * as path from 'path';
import { estateReference } from '../../estate/reference';

describe('docs/estate.md', () => {
  const reference = estateReference();

  test('is the reference generated from the schema (run `npm run docs` after changing it)', () => {
    expect(fs.readFileSync(path.resolve(__dirname, '../../docs/estate.md'), 'utf8')).toBe(reference);
  });

  test('documents every field with its default and meaning', () => {
    for (const field of ['displayName', 'allowDestroy', 'agent', 'tableOwners', 'dbUserArns', 'workspaceTags', 'resourceId']) {
      expect(reference).toMatch(new RegExp(`\\| \`${field}\` \\|`));
    }
    expect(reference).toMatch(/\| `port` \| number \| `5439` \|/);
    expect(reference).toMatch(/\| `deployment` \| `self-managed`, `rds`, `aurora`, `neon` \| \*\*required\*\* \|/);
    // A field without a description would leave the meaning column empty; only tag literals may.
    const undocumented = reference.split('\n').filter((l) => /\|\s*\|$/.test(l) && !/^\| `type` \| `/.test(l));
    expect(undocumented).toEqual([]);
    expect(reference).not.toMatch(/seed \d{3}/i);
  });
});
