import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emulationFile, reusableEmulation, templatesHash } from '../../scripts/emulation-results';

const templates = { B: { Resources: { X: { Type: 'AWS::EC2::VPC' } } }, A: { Resources: {} } };
const report = { probes: [{ kind: 'declared', ok: true }], passed: 1, failed: 0, skipped: [], namespaces: 3, buildSeconds: 1, probeSeconds: 1 };

function saved(hash: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'emulation-results-'));
  fs.mkdirSync(path.join(root, 'demo'));
  fs.writeFileSync(emulationFile('demo', root), JSON.stringify({ ...report, templatesSha256: hash }));
  return root;
}

test('the hash does not depend on the order of the stacks, and changes with any template', () => {
  expect(templatesHash({ A: templates.A, B: templates.B })).toBe(templatesHash(templates));
  expect(templatesHash({ ...templates, A: { Resources: { Y: { Type: 'AWS::EC2::Subnet' } } } })).not.toBe(templatesHash(templates));
});

test('the main job\'s results are reused for the same templates only', () => {
  expect(reusableEmulation('demo', templates, saved(templatesHash(templates)))).toEqual(report);
  expect(reusableEmulation('demo', templates, saved('0'.repeat(64)))).toBeUndefined();
  expect(reusableEmulation('other', templates, saved(templatesHash(templates)))).toBeUndefined();
});
