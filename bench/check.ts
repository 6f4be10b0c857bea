/**
 * How long `cdk-network-patterns check` takes on a large template (issue 18's target: a
 * 500-resource template in about a second).
 *
 * Synthesizes bench/apps/scale-ecs.ts (a TieredVpc over 3 AZs with 14 EcsDynamicPortService
 * constructs: each its cluster, container instances and ALB, just under CloudFormation's 500
 * resources) into a temporary cloud assembly, then runs the command on it in this process:
 * once cold (its modules loaded on first use, as in a fresh `npx cdk-network-patterns check`)
 * and `--runs` times warm. Prints the resources, the nodes and the times; the median of the warm
 * runs is the figure.
 *
 * Usage: npx ts-node -P test/tsconfig.json --transpile-only bench/check.ts [--runs N] [--services N]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { build, MAX_ECS_SERVICES } from './apps/scale-ecs';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} takes a positive integer, got ${process.argv[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  const runs = arg('runs', 5);
  const services = arg('services', MAX_ECS_SERVICES);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-check-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  build(app, { azs: '3', services: String(services) });
  app.synth();
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  const resources = templates.reduce((n, f) => n + Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources).length, 0);

  const report = path.join(outdir, 'check.json');
  const time = async (): Promise<{ ms: number; code: number }> => {
    // Silence the text report the command prints beside --output.
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      const t0 = performance.now();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { run } = require('../src/cli/check') as typeof import('../src/cli/check');
      const code = await run([outdir, '--format', 'json', '--output', report]);
      return { ms: performance.now() - t0, code };
    } finally {
      process.stdout.write = write;
    }
  };
  const cold = await time();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push((await time()).ms);
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  const nodes = json.vpcs.reduce((n: number, v: { nodes: unknown[] }) => n + v.nodes.length, 0);
  const pairs = json.vpcs.reduce((n: number, v: { openings: unknown[] }) => n + v.openings.length, 0);
  console.log(`check on ${resources} resources (${templates.length} template, ${nodes} nodes, ${json.vpcs[0]?.matrixPorts.length ?? 0} ports, ` +
    `${pairs} open pairs, ${json.findings.length} findings, exit code ${cold.code}):`);
  console.log(`  cold (modules loaded on first use): ${Math.round(cold.ms)} ms`);
  console.log(`  warm, median of ${runs}: ${Math.round(median)} ms (min ${Math.round(warm[0])}, max ${Math.round(warm[warm.length - 1])})`);
  console.log(`  machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  fs.rmSync(outdir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
