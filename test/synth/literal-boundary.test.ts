import * as fs from 'fs';
import * as path from 'path';
import { Fn, TerraformIterator, TerraformOutput, TerraformResource, TerraformVariable, Testing } from 'cdktf';
import { parseEstate } from '../../estate/load';
import { escapeTemplateText } from '../../model/terraform-text';
import { EstateStack } from '../../stacks/estate-stack';
import { exampleDocument } from '../support/example';
import { synthEstate, tempDir } from '../support/synth';
import { liveTemplates, stringLeaves, unescapeTemplates } from '../support/templates';
import { runTerraform, terraformEnv, writeCliConfig } from '../support/terraform-env';

/**
 * Estate text is data: whatever a pull request writes into any field, cdk.tf.json holds it
 * as literal text, never as a Terraform expression.
 */
/** Under 63 characters, so that fields with a short limit still take it. */
const payload = (n: number) => `\${file("INJ${n}")}%{if true}INJ${n}%{endif}$\${INJ${n}}`;

describe('escapeTemplateText', () => {
  test.each([
    ['${var.x}', '$${var.x}'],
    ['%{if}', '%%{if}'],
    ['$${already}', '$$${already}'],
    ['a$$ b$ % {}', 'a$$ b$ % {}'],
    ['${a}${b}%{c}', '$${a}$${b}%%{c}'],
  ])('%s', (input, expected) => {
    expect(escapeTemplateText(input)).toBe(expected);
    expect(liveTemplates(expected)).toEqual([]);
  });
});

describe('the stack boundary', () => {
  const synth = () => {
    const stack = new EstateStack(Testing.app(), 'boundary');
    const v = new TerraformVariable(stack, 'v', { type: 'string' });
    const each = TerraformIterator.fromMap({ '${key}': { text: '%{if x}' } });
    const r = new TerraformResource(stack, 'r', { terraformResourceType: 'terraform_data', forEach: each });
    r.addOverride('input', { literal: '${file("x")}', reference: v.stringValue, mixed: `user-${v.stringValue}-\${nope}`, fn: Fn.upper(v.stringValue), value: each.getString('text') });
    new TerraformOutput(stack, 'o', { value: { '${k}': 'a ${b} c' } });
    return JSON.parse(Testing.synth(stack));
  };

  test('literal text is escaped, in values, keys and for_each maps', () => {
    const json = synth();
    const input = json.resource.terraform_data.r.input;
    expect(input.literal).toBe('$${file("x")}');
    expect(json.resource.terraform_data.r.for_each).toEqual({ '$${key}': { text: '%%{if x}' } });
    expect(json.output.o.value).toEqual({ '$${k}': 'a $${b} c' });
  });

  test('two elements with one Terraform name are refused, not merged', () => {
    const stack = new EstateStack(Testing.app(), 'names');
    new TerraformVariable(stack, 'a', { type: 'string' }).overrideLogicalId('shared');
    new TerraformVariable(stack, 'b', { type: 'string' }).overrideLogicalId('shared');
    expect(() => Testing.synth(stack)).toThrow('stack names: names/a and names/b would both be variable shared');
  });

  test('tokens stay expressions', () => {
    const input = synth().resource.terraform_data.r.input;
    expect(input.reference).toBe('${var.v}');
    expect(input.mixed).toBe('user-${var.v}-$${nope}');
    expect(input.fn).toBe('${upper(var.v)}');
    expect(input.value).toBe('${each.value.text}');
  });
});

describe('an estate with template syntax in every field that accepts it', () => {
  const doc = exampleDocument();
  // Find every string field that still validates with template syntax in it.
  const accepted: string[][] = [];
  const leaves: string[][] = [];
  const walk = (value: unknown, at: string[]) => {
    if (typeof value === 'string') leaves.push(at);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  walk(doc, []);
  const set = (target: any, at: string[], text: string) => { at.slice(0, -1).reduce((o, k) => o[k], target)[at[at.length - 1]] = text; };
  leaves.forEach((at, n) => {
    const copy = structuredClone(doc);
    set(copy, at, payload(n));
    try { parseEstate(copy); accepted.push(at); } catch { /* rejected by the estate rules: fine */ }
  });
  const hostile = structuredClone(doc);
  accepted.forEach((at) => set(hostile, at, payload(leaves.indexOf(at))));
  const app = synthEstate(parseEstate(hostile));

  test('the free-text fields accept it, and the rest of the estate rejects it', () => {
    const names = accepted.map((at) => at.filter((k) => !/^\d+$/.test(k)).slice(-2).join('.')).sort();
    expect(names).toEqual(expect.arrayContaining(['userMappings.immutaUser', 'postgres.username', 'aws.value']));
    // Names, identifiers, regions and ids refuse template syntax outright.
    expect(names.some((n) => /displayName|systemUser|database|stagingBucket|id$/.test(n))).toBe(false);
    expect(accepted.length).toBeLessThan(leaves.length / 4);
  });

  test('no string of any stack holds an expression made from estate text', () => {
    const seen = new Set<number>();
    for (const stack of app.stacks) {
      for (const leaf of stringLeaves(app.stackJson(stack))) {
        for (const m of leaf.text.matchAll(/INJ(\d+)/g)) seen.add(Number(m[1]));
        const live = liveTemplates(leaf.text).filter((t) => t.includes('INJ'));
        expect({ stack, path: leaf.path, live }).toEqual({ stack, path: leaf.path, live: [] });
      }
    }
    // The payload did reach the output (as literal text), in every field that accepted it.
    expect([...seen].sort((a, b) => a - b)).toEqual(accepted.map((at) => leaves.indexOf(at)).sort((a, b) => a - b));
  });

  test('real terraform prints the literal text in the outputs', () => {
    const config: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const stack of app.stacks) {
      for (const [name, output] of Object.entries(app.stackJson(stack).output ?? {})) {
        const leavesOf = stringLeaves(output.value);
        // Outputs that are pure literal text (no reference to evaluate) and carry the payload.
        if (!leavesOf.some((l) => l.text.includes('INJ')) || leavesOf.some((l) => liveTemplates(l.text).length > 0)) continue;
        const key = `${stack}_${name}`.replace(/-/g, '_');
        config[key] = { value: output.value, sensitive: output.sensitive ?? false };
        expected[key] = unescapeTemplates(output.value);
      }
    }
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(3);
    const dir = tempDir('literal-outputs');
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ output: config }, null, 2));
    const env = terraformEnv(writeCliConfig(path.join(dir, '.cli')));
    for (const args of [['init', '-input=false'], ['apply', '-auto-approve', '-input=false']]) {
      const res = runTerraform(args, { cwd: dir, env, timeoutMs: 120_000 });
      expect({ args, status: res.status, stderr: res.stderr }).toEqual({ args, status: 0, stderr: '' });
    }
    const printed = JSON.parse(runTerraform(['output', '-json'], { cwd: dir, env, timeoutMs: 60_000 }).stdout) as Record<string, { value: unknown }>;
    for (const [key, value] of Object.entries(expected)) {
      expect({ key, value: printed[key]?.value }).toEqual({ key, value });
      // Printed as written, not evaluated: the file's content would have replaced it.
      expect(JSON.stringify(printed[key].value)).toMatch(/\$\{file\(\\+"INJ\d+\\+"\)\}%\{if true\}INJ\d+%\{endif\}\$\$\{INJ\d+\}/);
    }
  });
});
