/**
 * Builds and synthesizes ONE app in this (fresh) process and prints one line of JSON with the
 * figures. bench/run.ts starts it once per measurement:
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node -r ts-node/register/transpile-only \
 *     bench/synth-once.ts <app-module> <mode> [key=value ...]
 *
 * <app-module> exports `build(app: App, params?: { [key: string]: string }): Stack[]`;
 * the key=value arguments become `params` (the scale app reads `azs` and `services`).
 *
 * <mode>:
 * - `checks`: cdk-nag's AwsSolutions pack registered as a policy-validation plugin and
 *   aws-cdk-lib's built-in template validator on (CDK_VALIDATION unset), as `npm run examples`
 *   and a user's `cdk synth` run;
 * - `bare`: no plugin and CDK_VALIDATION=false, as the unit tests run.
 *
 * Timed in process: from `new App()` to the end of `app.synth()` (`ms`), split into `buildMs`
 * (constructing the stacks) and `synthMs`. Loading the app module (aws-cdk-lib, and the library's
 * TypeScript source through ts-node) is timed apart as `loadMs`. `maxRssKb` is the process's peak
 * resident memory (process.resourceUsage().maxRSS, kilobytes).
 *
 * With BENCH_COMPILED_SRC=<dir> (bench/run.ts sets it unless --library-from source), the
 * library's source files (every `.ts` file under `src/`) load from JavaScript transpiled into <dir> beforehand,
 * as users load the published package, instead of being transpiled by ts-node in every process.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CfnTemplate, measureTemplates, TemplateMetrics } from './template-metrics';

/** The two settings a measurement runs under. */
export type SynthMode = 'checks' | 'bare';

/** What one run of this script prints (one JSON line on stdout). */
export interface SynthResult {
  readonly app: string;
  readonly mode: SynthMode;
  readonly params: Record<string, string>;
  /** Time to load the app module (and everything it imports), ms. */
  readonly loadMs: number;
  /** Time to construct the stacks, ms. */
  readonly buildMs: number;
  /** Time of `app.synth()` (including the validation plugins in `checks` mode), ms. */
  readonly synthMs: number;
  /** buildMs + synthMs (plus App creation and plugin registration), ms. */
  readonly ms: number;
  /**
   * CPU time (user + system, all threads) over the same span as `ms`. Less sensitive than `ms`
   * to other processes competing for the cores.
   */
  readonly cpuMs: number;
  /** Peak resident memory of the process, kilobytes. */
  readonly maxRssKb: number;
  /** Stack names. */
  readonly stacks: string[];
  /** Template figures. */
  readonly metrics: TemplateMetrics;
  /** Unacknowledged findings of the validation plugins, by plugin and severity (`checks` mode). */
  readonly findings: Record<string, number>;
  /** The first unacknowledged error findings (rule @ path), to make an unclean app easy to fix. */
  readonly findingSamples: string[];
  /** The error, when building or synthesizing threw. */
  readonly error?: string;
}

function readFindings(outdir: string): { counts: Record<string, number>; samples: string[] } {
  const counts: Record<string, number> = {};
  const samples: string[] = [];
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return { counts, samples };
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const p of report.pluginReports ?? []) {
    for (const v of p.violations ?? []) {
      const k = `${p.pluginName}/${v.severity}`;
      const where = (v.violatingConstructs ?? v.violatingResources ?? []).map((c: any) => c.constructPath);
      counts[k] = (counts[k] ?? 0) + Math.max(where.length, 1);
      if (v.severity === 'error' && samples.length < 10) samples.push(`${v.ruleName} @ ${where.join(', ')}`);
    }
  }
  return { counts, samples };
}

/** Loads every `.ts` file under `<root>/src/` from its transpiled `.js` copy under `<compiledDir>/src/`. */
function loadLibraryFrom(compiledDir: string): void {
  const root = path.resolve(__dirname, '..');
  const src = path.join(root, 'src') + path.sep;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require('module');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]): string {
    const resolved: string = resolve.call(this, request, ...rest);
    if (resolved.startsWith(src) && resolved.endsWith('.ts') && !resolved.endsWith('.d.ts')) {
      return path.join(compiledDir, path.relative(root, resolved)).replace(/\.ts$/, '.js');
    }
    return resolved;
  };
}

function main(): void {
  const [modulePath, mode, ...rest] = process.argv.slice(2);
  if (!modulePath || (mode !== 'checks' && mode !== 'bare')) {
    throw new Error('usage: synth-once.ts <app-module> <checks|bare> [key=value ...]');
  }
  const params: Record<string, string> = {};
  for (const kv of rest) {
    const i = kv.indexOf('=');
    if (i > 0) params[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (mode === 'checks') delete process.env.CDK_VALIDATION;
  else process.env.CDK_VALIDATION = 'false';

  if (process.env.BENCH_COMPILED_SRC) loadLibraryFrom(process.env.BENCH_COMPILED_SRC);

  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(modulePath));
  const t1 = performance.now();

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnp-bench-'));
  let stacks: Stack[] = [];
  let error: string | undefined;
  let t2 = t1;
  let t3 = t1;
  let t4 = t1;
  let cpu0 = process.cpuUsage();
  let cpu = { user: 0, system: 0 };
  try {
    t2 = performance.now();
    cpu0 = process.cpuUsage();
    const app = new App({ outdir });
    if (mode === 'checks') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    stacks = mod.build(app, params);
    t3 = performance.now();
    app.synth();
    t4 = performance.now();
    cpu = process.cpuUsage(cpu0);
  } catch (e) {
    error = (e as Error).message.split('\n').slice(0, 5).join('\n');
  }
  // A failed validation sets the exit code; the findings are reported in the JSON instead.
  process.exitCode = 0;

  const templates: CfnTemplate[] = fs.readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')));
  const { counts, samples } = readFindings(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });

  const result: SynthResult = {
    app: modulePath,
    mode,
    params,
    loadMs: t1 - t0,
    buildMs: t3 - t2,
    synthMs: t4 - t3,
    ms: t4 - t2,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    stacks: stacks.map((s) => s.stackName),
    metrics: measureTemplates(templates),
    findings: counts,
    findingSamples: samples,
    error,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
