/**
 * The differential test: on every example's synthesized templates, the reachability analyzer's
 * verdicts and the packets agree, and every declared flow carries a real handshake (root only:
 * `npx projen test:emulate`). When the main job (`npm run examples`, run as root) has emulated
 * exactly the templates this test synthesizes (same hash), its results are judged instead of
 * emulating the example a second time; otherwise the test emulates it itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { reusableEmulation } from '../../scripts/emulation-results';
import { emulate } from '../../src/emulate/emulator';

if (process.getuid?.() !== 0) {
  throw new Error('The emulation tests need root (they create network namespaces): run them with sudo, e.g. sudo npx projen test:emulate.');
}

jest.setTimeout(300_000);

const EXAMPLES = fs.readdirSync('examples').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();

/** The example's templates as `cdk synth` writes them (with construct paths), keyed by stack name. */
function synth(example: string): { [stack: string]: unknown } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stacks = require(path.resolve('examples', `${example}.ts`)).build(app) as Array<{ artifactId: string }>;
  const assembly = app.synth();
  return Object.fromEntries(stacks.map((s) => [s.artifactId, assembly.getStackArtifact(s.artifactId).template]));
}

test('every example is emulated', () => {
  expect(EXAMPLES.length).toBeGreaterThanOrEqual(7);
});

test.each(EXAMPLES)('%s: the analyzer and the packets agree, and every declared flow passes', async (example) => {
  const templates = synth(example);
  const report = reusableEmulation(example, templates) ?? await emulate(templates, { prefix: `cnpex${EXAMPLES.indexOf(example)}` });
  const declared = report.probes.filter((p) => p.kind !== 'undeclared');
  const summary = (xs: typeof report.probes) => xs.map((p) => `${p.kind} ${p.from} -> ${p.to} ${p.port}: analyzer ${p.analyzer}, packets ${p.packets} ${p.details.join('; ')}`);
  expect(summary(report.probes.filter((p) => !p.agree))).toEqual([]);
  expect(summary(report.probes.filter((p) => !p.ok))).toEqual([]);
  // Declared flows were carried by packets (none left out), and the undeclared probes were sent.
  expect(summary(declared.filter((p) => p.packets !== 'pass'))).toEqual([]);
  expect(report.failed).toBe(0);
  expect(report.passed).toBeGreaterThan(0);
});
