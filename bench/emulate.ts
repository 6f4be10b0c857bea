/**
 * How long the packet-level emulation of an example takes on this machine: the templates read,
 * the namespaces built and every probe sent (declared flows at every boundary source port, end to
 * end through load balancers, undeclared openings), then everything deleted. Synthesis is not
 * counted. Needs root.
 *
 * Usage: sudo npm run bench:emulate [-- <example> ...]   (default: every example)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { emulate } from '../src/emulate/emulator';

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.error('bench:emulate needs root (it creates network namespaces): sudo npm run bench:emulate');
    process.exitCode = 2;
    return;
  }
  const all = fs.readdirSync('examples').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const examples = names.length ? names : all;
  console.log('| example | namespaces | probes | build (s) | probe (s) | total (s) | result |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const example of examples) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true } });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stacks = require(path.resolve('examples', `${example}.ts`)).build(app) as Array<{ artifactId: string }>;
    const assembly = app.synth();
    const templates = Object.fromEntries(stacks.map((s) => [s.artifactId, assembly.getStackArtifact(s.artifactId).template]));
    const t0 = Date.now();
    const r = await emulate(templates);
    const total = (Date.now() - t0) / 1000;
    console.log(`| ${example} | ${r.namespaces} | ${r.probes.length} | ${r.buildSeconds.toFixed(1)} | ${r.probeSeconds.toFixed(1)} | ${total.toFixed(1)} | ` +
      `${r.passed} passed, ${r.failed} failed |`);
  }
  console.log(`\n${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at the end.`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
