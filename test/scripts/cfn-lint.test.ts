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
  const stream = new CfnLint();
  stream.add([bad]);
  // A template cfn-lint cannot read is an error of that template; the next one is still linted.
  stream.add([broken, good]);
  const streamed = await stream.done();
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

test('a Python that cannot import cfn-lint, or none at all, hands the templates to the cfn-lint command', async () => {
  // -S: without site-packages, where cfn-lint is installed.
  const withoutSite = new CfnLint(['python3', '-S']);
  withoutSite.add([bad]);
  expect(await withoutSite.done()).toEqual(new Map([[bad, command.get(bad)]]));
  const missing = new CfnLint([path.join(dir, 'no-such-python')]);
  missing.add([good]);
  expect(await missing.done()).toEqual(new Map([[good, command.get(good)]]));
}, SLOW);
