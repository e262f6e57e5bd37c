/**
 * A scanner for Terraform's template syntax, to prove what is and is not an expression in
 * synthesized JSON. `$${` and `%%{` are escapes (literal text); `${...}` and `%{...}` are
 * live. Returns the live sequences, braces included.
 */
export function liveTemplates(text: string): string[] {
  const live: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      const end = closingBrace(text, i + 2);
      live.push(text.slice(i, end + 1));
      i = end + 1;
    } else {
      i += 1;
    }
  }
  return live;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return text.length - 1;
}

/** Every string of a JSON value, object keys included, with its path. */
export function stringLeaves(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [{ path: `${path}{key}`, text: k }, ...stringLeaves(v, `${path}.${k}`)]);
  }
  return [];
}

/** What Terraform prints for literal text that went through the escape. */
export function unescapeTemplates(value: unknown): unknown {
  const un = (s: string) => s.replace(/([$%])\1\{/g, '$1{');
  if (typeof value === 'string') return un(value);
  if (Array.isArray(value)) return value.map(unescapeTemplates);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [un(k), unescapeTemplates(v)]));
  return value;
}
