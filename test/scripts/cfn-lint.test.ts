/**
 * The main job's cfn-lint (scripts/cfn-lint.ts): each template linted by one long-lived Python
 * process as the examples are synthesized, with the same findings as the `cfn-lint` command, and
 * the command itself when that process can't import cfn-lint.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnLint, cfnLintAll, NOT_INSTALLED } from '../../scripts/cfn-lint';

/** Python and cfn-lint start in a few seconds on 2 busy cores. */
const SLOW = 60_000;

const installed = spawnSync('cfn-lint', ['--version']).status === 0;
/** Whether `python3` imports cfn-lint: then the stream itself must answer, never the command. */
const importable = spawnSync('python3', ['-c', 'import cfnlint']).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-test-'));
const write = (name: string, template: object) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(template, null, 1));
  return file;
};
// A string where a number belongs (E3012, an error) and a literal AZ (W3010, a warning).
const bad = write('Bad.template.json', {
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } },
    Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: 'vpc-12345678', CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1a' } },
  },
});
const good = write('Good.template.json', { Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });
const broken = path.join(dir, 'Broken.template.json');
fs.writeFileSync(broken, '{ "Resources": ');
// What the cfn-lint command finds in each (or that it is not installed).
let command = new Map<string, unknown>();
beforeAll(async () => {
  command = await cfnLintAll([bad, broken, good]);
}, SLOW);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the stream lints each template as it is sent, with the findings of the cfn-lint command', async () => {
  // Falling back to the command would fail every template here: the findings are the stream's own.
  const stream = new CfnLint(['python3'], importable ? fakeCfnLint('must-not-run', '', 'exit 1') : 'cfn-lint');
  stream.add([bad]);
  // A template cfn-lint cannot read is an error of that template; the next one is still linted.
  stream.add([broken, good]);
  // A path cfn-lint writes another way (it normalizes names) still gets its own findings: the
  // stream leaves the file name out of each line.
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  const unnormalized = `${dir}/./sub//../Bad.template.json`;
  stream.add([unnormalized]);
  const streamed = await stream.done();
  expect(streamed.get(unnormalized)).toEqual(command.get(bad));
  streamed.delete(unnormalized);
  expect(streamed).toEqual(command);
  if (installed) {
    expect(streamed.get(bad)!.errors).toEqual([expect.stringMatching(/^\d+:\d+:\d+:\d+:E3012:'soon' is not of type 'integer'$/)]);
    expect(streamed.get(bad)!.warnings).toEqual([expect.stringMatching(/:W3010:.*us-east-1a/)]);
    expect(streamed.get(broken)!.errors).toEqual([expect.stringMatching(/:E0000:/)]);
    expect(streamed.get(good)).toEqual({ ran: true, errors: [], warnings: [] });
  } else {
    expect(streamed.get(bad)).toEqual(NOT_INSTALLED);
  }
}, SLOW);

/** A stand-in for the cfn-lint command: a shell script printing `out` and ending as `end` says. */
function fakeCfnLint(name: string, out: string, end: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\nprintf '%s' '${out}'\necho 'it went wrong' >&2\n${end}\n`, { mode: 0o755 });
  return file;
}

test('a cfn-lint command that fails or is killed gives every template its error: none passes unlinted', async () => {
  // Exit 1: a bad configuration file or a crash, with nothing found.
  const failed = await cfnLintAll([bad, good], fakeCfnLint('exits-1', '', 'exit 1'));
  for (const t of [bad, good]) expect(failed.get(t)!.errors).toEqual(['cfn-lint failed (exit 1): it went wrong']);
  const killed = await cfnLintAll([good], fakeCfnLint('killed', '', 'kill -9 $$'));
  expect(killed.get(good)!.errors).toEqual(['cfn-lint failed (killed by SIGKILL): it went wrong']);
  // Warnings only (exit 4) is a run that linted everything.
  const warned = await cfnLintAll([good], fakeCfnLint('warns', `${good}:1:1:1:2:W3010:literal AZ\n`, 'exit 4'));
  expect(warned.get(good)).toEqual({ ran: true, errors: [], warnings: ['1:1:1:2:W3010:literal AZ'] });
}, SLOW);

test('each finding of the cfn-lint command goes to the template it names, and one naming none goes to all', async () => {
  const colon = `${good}:1:1:1:1:E0000.json`;
  const out = `${colon}:3:1:3:2:E3012:in the colon-named file\n${good}:2:1:2:2:W3005:in the good one\nelsewhere.json:1:1:1:1:E0000:unknown file\n`;
  const results = await cfnLintAll([good, colon], fakeCfnLint('mixed', out, 'exit 6'));
  expect(results.get(colon)!.errors[0]).toEqual('3:1:3:2:E3012:in the colon-named file');
  expect(results.get(good)!.warnings).toEqual(['2:1:2:2:W3005:in the good one']);
  for (const t of [good, colon]) expect(results.get(t)!.errors).toContain('cfn-lint reported a finding on a file name none of the templates has: elsewhere.json:1:1:1:1:E0000:unknown file');
}, SLOW);

test('a Python that cannot import cfn-lint, fails to start the script, or is missing hands the templates to the cfn-lint command', async () => {
  const fallback = fakeCfnLint('fallback', `${good}:1:1:1:2:W3005:from the command\n`, 'exit 4');
  const expected = new Map([[good, { ran: true, errors: [], warnings: ['1:1:1:2:W3005:from the command'] }]]);
  // -S: without site-packages, where cfn-lint is installed.
  const withoutSite = new CfnLint(['python3', '-S'], fallback);
  withoutSite.add([good]);
  expect(await withoutSite.done()).toEqual(expected);
  // `sh -c 'exit 1' <script>`: a python3 that starts and fails before running the script.
  const failing = new CfnLint(['sh', '-c', 'exit 1'], fallback);
  failing.add([good]);
  expect(await failing.done()).toEqual(expected);
  const missing = new CfnLint([path.join(dir, 'no-such-python')], fallback);
  missing.add([good]);
  expect(await missing.done()).toEqual(expected);
}, SLOW);
