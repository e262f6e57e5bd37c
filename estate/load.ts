import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { ZodError } from 'zod';
import { fieldName } from './consistency';
import { Estate, estateSchema } from './schema';

/** The example estate shipped with the repo; it exercises every capability. */
export const EXAMPLE_ESTATE_FILE = path.resolve(__dirname, '..', 'examples', 'estate.yaml');

/** An estate that failed to load: every problem, each naming its field and rule. */
export class EstateError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`invalid estate ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EstateError';
  }
}

/** Validate an already parsed document (used by tests and by loadEstateFile). */
export function parseEstate(doc: unknown, source = '<estate>'): Estate {
  const reserved = reservedText(doc, []);
  const result = estateSchema.safeParse(doc);
  if (!result.success || reserved.length > 0) {
    throw new EstateError(source, [...reserved, ...(result.success ? [] : formatZodError(result.error))]);
  }
  return result.data;
}

/**
 * cdktf writes references as `${TfToken[...]}` before it resolves them; estate text that
 * spelled one would be resolved as a reference, past the literal boundary. No estate field
 * has a use for it.
 */
function reservedText(value: unknown, path: (string | number)[]): string[] {
  if (typeof value === 'string') return value.includes('TfToken[') ? [`${fieldName(path) || '(top level)'}: must not contain TfToken[, which cdktf reserves for references`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => reservedText(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [...reservedText(k, path), ...reservedText(v, [...path, k])]);
  return [];
}

export function loadEstateText(text: string, source = '<estate>'): Estate {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new EstateError(source, doc.errors.map((e) => `YAML: ${e.message}`));
  return parseEstate(doc.toJS(), source);
}

export function loadEstateFile(file: string): Estate {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new EstateError(file, [`cannot read the estate file: ${(e as Error).message}`]);
  }
  return loadEstateText(text, file);
}

/** ESTATE_FILE names the estate; without it, the example estate. */
export function estateFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.ESTATE_FILE ? path.resolve(env.ESTATE_FILE) : EXAMPLE_ESTATE_FILE;
}

function formatZodError(err: ZodError): string[] {
  return err.issues.map((i) => {
    const field = fieldName(i.path);
    const message = i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}: not part of the estate schema` : i.message;
    return `${field || '(top level)'}: ${message}`;
  });
}
