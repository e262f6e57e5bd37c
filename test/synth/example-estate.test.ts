import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../support/terraform-env';
import { loadExampleEstate, synthExampleEstate, tempDir } from '../support/synth';

/** Every file under `dir`, relative path to content. */
function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full), fs.readFileSync(full));
  }
  return files;
}

// Names from the estate, so test names exist before synthesis; other planes snapshot their own stacks.
const awsStacks = Object.keys(loadExampleEstate().environments).sort().map((env) => `${env}-aws-access`);

describe('the example estate', () => {
  const first = synthExampleEstate();
  const second = synthExampleEstate();
  afterAll(() => [first, second].forEach((a) => fs.rmSync(a.outdir, { recursive: true, force: true })));

  test('synthesizes the AWS stacks of every environment', () => {
    expect(first.stacks.filter((s) => s.endsWith('-aws-access'))).toEqual(awsStacks);
    expect(awsStacks).toEqual(['dev-aws-access', 'prod-aws-access']);
  });

  test('two synths write byte-identical files', () => {
    const a = readTree(first.outdir);
    const b = readTree(second.outdir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [file, content] of a) expect([file, content.equals(b.get(file)!)]).toEqual([file, true]);
  });

  test.each(awsStacks)('%s matches its snapshot', (stack) => {
    expect(first.stackText(stack)).toMatchSnapshot();
  });
});

describe('main.ts with a broken estate', () => {
  const broken = path.join(tempDir('broken-estate'), 'estate.yaml');
  fs.writeFileSync(broken, fs.readFileSync(path.join(REPO_ROOT, 'examples', 'estate.yaml'), 'utf8').replace('accountId: "111122223333"', 'accountId: "11112222333"'));

  function runMain(outdir: string) {
    const res = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ESTATE_FILE: broken, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
      timeout: 60000,
      killSignal: 'SIGKILL',
    });
    if (res.error) throw res.error;
    return res;
  }

  test('exits 1 naming the field and writes no output folder', () => {
    const outdir = path.join(tempDir('main-out'), 'cdktf.out');
    const res = runMain(outdir);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('environments.dev.aws.accountId: must be an AWS account id of exactly 12 digits');
    expect(fs.existsSync(outdir)).toBe(false);
    expect(fs.existsSync(`${outdir}.partial`)).toBe(false);
  });

  test('leaves an existing output folder as it was', () => {
    const outdir = path.join(tempDir('main-out'), 'cdktf.out');
    fs.mkdirSync(path.join(outdir, 'stacks', 'dev-aws-access'), { recursive: true });
    fs.writeFileSync(path.join(outdir, 'stacks', 'dev-aws-access', 'cdk.tf.json'), '{"previous": true}');
    const before = readTree(outdir);
    const res = runMain(outdir);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('environments.dev.aws.accountId');
    expect(readTree(outdir)).toEqual(before);
  });
});
