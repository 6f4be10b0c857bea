/**
 * How long `cdk-network-patterns check` takes on a large template (the target: a 500-resource
 * template in about a second).
 *
 * Synthesizes bench/apps/scale-ecs.ts (a TieredVpc over 3 AZs with 14 EcsDynamicPortService
 * constructs: each its cluster, container instances and ALB, just under CloudFormation's 500
 * resources) into a temporary cloud assembly, then times the command on it:
 * - as a user runs it: `node main.js check <cdk.out> --format json --output ...` in a fresh
 *   process, with the library's src/ transpiled to JavaScript once (into bench/.cache/, git-ignored)
 *   as the published package's lib/ holds it; the median wall time of `--runs` processes;
 * - in this process (`run()` of src/cli/check.ts): once cold, then `--runs` times warm (the
 *   command's own work, without Node's start and module loading).
 *
 * Usage: npx ts-node -P test/tsconfig.json --transpile-only bench/check.ts [--runs N] [--services N]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { build, MAX_ECS_SERVICES } from './apps/scale-ecs';

const ROOT = path.resolve(__dirname, '..');

/** Transpiles src/ to JavaScript under bench/.cache/check/ (no type-checking); returns the command's main.js. */
function transpileLibrary(): string {
  const out = path.join(ROOT, 'bench', '.cache', 'check');
  fs.rmSync(out, { recursive: true, force: true });
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(path.join(ROOT, 'src'))) {
    const target = path.join(out, path.relative(ROOT, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      fs.writeFileSync(target.replace(/\.ts$/, '.js'), js);
    } else {
      fs.copyFileSync(file, target);
    }
  }
  return path.join(out, 'src', 'cli', 'main.js');
}

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
  const mainJs = transpileLibrary();
  // The child's CPU time (user + system), printed at exit by a preloaded hook: on a machine whose
  // cores other processes share, it is steadier than the wall time.
  const cpuHook = path.join(path.dirname(mainJs), 'cpu-at-exit.js');
  fs.writeFileSync(cpuHook, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`CPU ${(u.user + u.system) / 1000}\\n`); });\n");
  const fresh: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, ['-r', cpuHook, mainJs, 'check', outdir, '--format', 'json', '--output', report], { encoding: 'utf8' });
    fresh.push(performance.now() - t0);
    if (child.status !== 0 && child.status !== 1) throw new Error(`check failed (exit code ${child.status}): ${child.stderr}`);
    cpu.push(Number(/CPU ([\d.]+)/.exec(child.stderr)?.[1]));
  }
  fresh.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const cold = await time();
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) warm.push((await time()).ms);
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  const nodes = json.vpcs.reduce((n: number, v: { nodes: unknown[] }) => n + v.nodes.length, 0);
  const pairs = json.vpcs.reduce((n: number, v: { openings: unknown[] }) => n + v.openings.length, 0);
  const ms = (x: number) => `${Math.round(x)} ms`;
  console.log(`check on ${resources} resources (${templates.length} template, ${nodes} nodes, ${pairs} open pairs, ` +
    `${json.findings.length} findings, exit code ${cold.code}):`);
  console.log(`  the command in a fresh process (node start, module loading, the check), median of ${runs}: ` +
    `${ms(fresh[Math.floor(fresh.length / 2)])} (min ${ms(fresh[0])}, max ${ms(fresh[fresh.length - 1])})`);
  console.log(`    its CPU time (user + system), median of ${runs}: ${ms(cpu[Math.floor(cpu.length / 2)])} (min ${ms(cpu[0])}, max ${ms(cpu[cpu.length - 1])})`);
  console.log(`  in process, first run (modules loaded on first use, through ts-node): ${ms(cold.ms)}`);
  console.log(`  in process, warm, median of ${runs}: ${ms(median)} (min ${ms(warm[0])}, max ${ms(warm[warm.length - 1])})`);
  console.log(`  machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  fs.rmSync(outdir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
