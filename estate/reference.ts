import { z } from 'zod';
import { estateSchema, lenientItems } from './schema';

/**
 * The estate file's field reference, generated from the schema itself (types, defaults and
 * the `.describe()` text of each field), so it cannot drift from what the loader accepts.
 * `npm run docs` writes it to docs/estate.md; a unit test fails when that file is stale.
 */
export function estateReference(): string {
  const sections: string[] = [];
  objectSection('estate file', unwrap(estateSchema).schema as z.AnyZodObject, sections);
  return [
    '# Estate file reference',
    '',
    '<!-- Generated from estate/schema.ts by `npm run docs`; edit the schema, not this file. -->',
    '',
    'YAML, validated strictly: an unknown or misspelt field is an error that names it. The',
    'annotated example is [examples/estate.yaml](../examples/estate.yaml); the rules between',
    'fields are listed in [estate-rules.md](estate-rules.md).',
    '',
    ...sections,
  ].join('\n');
}

interface Unwrapped {
  readonly schema: z.ZodTypeAny;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  readonly description?: string;
}

/** Peels optional, default and effects wrappers, keeping what they say about the field. */
function unwrap(schema: z.ZodTypeAny): Unwrapped {
  let optional = false;
  let defaultValue: unknown;
  let description = schema.description;
  let s = schema;
  for (;;) {
    description ??= s.description;
    const lenient = lenientItems.get(s);
    if (lenient) return { schema: s, optional, defaultValue, description };
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) { optional = true; s = s.unwrap(); continue; }
    if (s instanceof z.ZodDefault) { defaultValue = s._def.defaultValue(); s = s._def.innerType; continue; }
    if (s instanceof z.ZodEffects) { s = s.innerType(); continue; }
    return { schema: s, optional, defaultValue, description };
  }
}

/** A short type name; objects are described in a section of their own, named by `path`. */
function typeName(schema: z.ZodTypeAny, path: string, sections: string[]): string {
  const s = unwrap(schema).schema;
  const lenient = lenientItems.get(s);
  if (lenient && s instanceof z.ZodEffects) {
    return innermost(s) instanceof z.ZodRecord
      ? `map of name to ${typeName(lenient, `${path}.<name>`, sections)}`
      : `list of ${typeName(lenient, `${path}[]`, sections)}`;
  }
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodNumber) return 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodLiteral) return `\`${String(s.value)}\``;
  if (s instanceof z.ZodEnum) return (s.options as string[]).map((o) => `\`${o}\``).join(', ');
  if (s instanceof z.ZodArray) return `list of ${typeName(s.element, `${path}[]`, sections)}`;
  if (s instanceof z.ZodRecord) return `map of name to ${typeName(s.valueSchema, `${path}.<name>`, sections)}`;
  if (s instanceof z.ZodObject) {
    objectSection(path, s, sections);
    return `object ([${path}](#${anchor(path)}))`;
  }
  if (s instanceof z.ZodDiscriminatedUnion) {
    const variants = [...s.options.values()] as z.AnyZodObject[];
    return variants.map((v) => {
      const tag = (v.shape[s.discriminator] as z.ZodLiteral<string>).value;
      return typeName(v, `${path} (${s.discriminator}: ${tag})`, sections);
    }).join(' or ');
  }
  if (s instanceof z.ZodUnion) {
    return (s.options as z.ZodTypeAny[]).map((o, i) => typeName(o, (s.options as z.ZodTypeAny[]).length > 1 ? `${path} (form ${i + 1})` : path, sections)).join(' or ');
  }
  return 'value';
}

function innermost(schema: z.ZodTypeAny): z.ZodTypeAny {
  return schema instanceof z.ZodEffects ? innermost(schema.innerType()) : schema;
}

function objectSection(path: string, schema: z.AnyZodObject, sections: string[]): void {
  const rows: string[] = [];
  const later: string[] = [];
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodTypeAny>)) {
    const u = unwrap(field);
    const type = typeName(field, path === 'estate file' ? name : `${path}.${name}`, later);
    const required = u.defaultValue !== undefined ? `\`${JSON.stringify(u.defaultValue)}\`` : u.optional ? 'optional' : '**required**';
    rows.push(`| \`${name}\` | ${type} | ${required} | ${(u.description ?? '').replace(/\|/g, '\\|')} |`);
  }
  sections.push(`## ${path}`, '', '| field | type | default | meaning |', '| --- | --- | --- | --- |', ...rows, '', ...later);
}

function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
