/**
 * The benchmarks of issue 9 (`npm run bench -- [flags]`): synth cost of the library against the
 * same architecture hand-written with plain aws-cdk-lib, how that cost grows with AZs and
 * services, lines of user code, and (with --with-tests) the unit tests' wall time.
 *
 * Every synth runs in a fresh process (bench/synth-once.ts). Figures go to stdout as tables and
 * to bench/results/latest.json (or --out). See bench/README.md for what each figure means.
 *
 * Flags:
 *   --pairs N          measured pairs per architecture and mode, after one warm-up pair (default 5)
 *   --scale-reps N     runs per scale point, median taken (default 3)
 *   --scale-modes M    comma-separated modes for the flows scale runs: bare, checks (default bare,checks; the ecs app runs bare only)
 *   --azs L            AZ counts of the scale runs (default 2,3,6)
 *   --services L       service counts of the scale runs (default 1,10,50)
 *   --only NAMES       comma-separated architecture pairs to run (default: every pair whose files exist)
 *   --no-pairs         skip the library/hand-written pairs
 *   --no-scale         skip the scale runs
 *   --no-ecs           skip the scale runs with real ECS services (bench/apps/scale-ecs.ts)
 *   --with-tests       also time `npx jest --ci` with CDK_VALIDATION=false (off by default: it takes minutes)
 *   --tests-path P     with --with-tests, run only the tests under P (checks the harness; the target needs the whole suite)
 *   --quick            --pairs 2 --scale-reps 1 --scale-modes bare --services 1,10 --no-ecs (a trial run in about 2 minutes)
 *   --library-from S   `compiled` (default): the library's src/ is transpiled to JavaScript once, in
 *                      bench/.cache/, and every synth process loads that, as users load the published
 *                      package; `source`: ts-node transpiles src/ in every process (adds its cost to load and wall time)
 *   --out FILE         where to write the JSON (default bench/results/latest.json), and beside it the figures
 *                      as markdown (latest.md; none for a scratch FILE ending in .tmp.json, which git ignores)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import * as ts from 'typescript';
import { linesOfCode } from './loc';
import type { SynthMode, SynthResult } from './synth-once';
import type { NaclCount, SecurityGroupCount } from './template-metrics';

const ROOT = path.resolve(__dirname, '..');

/** A library app and its hand-written equivalent. */
interface PairSpec {
  readonly name: string;
  readonly library: string;
  readonly handwritten: string;
  readonly description: string;
}

const PAIRS: PairSpec[] = [
  {
    name: 'three-tier-vpc',
    library: 'bench/apps/library-three-tier-vpc.ts',
    handwritten: 'bench/apps/handwritten-three-tier-vpc.ts',
    description: 'TieredVpc (3 AZs, NAT per AZ, flow logs, endpoints) + LB -> app -> DB security group chain',
  },
  {
    name: 'full',
    library: 'bench/apps/library-full.ts',
    handwritten: 'bench/apps/handwritten-full.ts',
    description: 'the full architecture: three tiers, SG chain, NLB, ECS dynamic ports, Lambda + RDS Proxy, Route 53 failover',
  },
];

/** A scale app, and the service counts and modes it runs with. */
interface ScaleApp {
  readonly name: string;
  readonly module: string;
  /** Largest service count the app can hold (CloudFormation's 500 resources per stack). */
  readonly maxServices: number;
  /** Modes it runs in: undefined for the --scale-modes, or fixed. */
  readonly modes?: SynthMode[];
}

/**
 * Scale apps: `flows` (each service a security group and its flows, as an ECS service adds to
 * the VPC) and `ecs` (real EcsDynamicPortService constructs, about 25 resources each, so at
 * most 14 per stack even over 6 AZs: bench/apps/scale-ecs.ts MAX_ECS_SERVICES; bare mode only, to keep the run short).
 */
const SCALE_APPS: ScaleApp[] = [
  { name: 'flows', module: 'bench/apps/scale-flows.ts', maxServices: Infinity },
  { name: 'ecs', module: 'bench/apps/scale-ecs.ts', maxServices: 14, modes: ['bare'] },
];

interface Options {
  pairs: number;
  scaleReps: number;
  scaleModes: SynthMode[];
  azs: number[];
  services: number[];
  only?: string[];
  runPairs: boolean;
  runScale: boolean;
  runEcs: boolean;
  withTests: boolean;
  testsPath?: string;
  quick: boolean;
  libraryFrom: 'compiled' | 'source';
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    pairs: 5,
    scaleReps: 3,
    scaleModes: ['bare', 'checks'],
    azs: [2, 3, 6],
    services: [1, 10, 50],
    runPairs: true,
    runScale: true,
    runEcs: true,
    withTests: false,
    quick: false,
    libraryFrom: 'compiled',
    out: 'bench/results/latest.json',
  };
  const explicit = new Set<string>();
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const int = (flag: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--pairs': o.pairs = int(a, next(), 1); explicit.add('pairs'); break;
      case '--scale-reps': o.scaleReps = int(a, next(), 1); explicit.add('scaleReps'); break;
      case '--scale-modes': {
        const modes = list(next());
        if (modes.length === 0 || modes.some((m) => m !== 'bare' && m !== 'checks')) throw new Error('--scale-modes takes bare and/or checks');
        o.scaleModes = modes as SynthMode[];
        explicit.add('scaleModes');
        break;
      }
      case '--azs': o.azs = list(next()).map((v) => int(a, v, 2)); break;
      case '--services': o.services = list(next()).map((v) => int(a, v, 1)); explicit.add('services'); break;
      case '--only': o.only = list(next()); break;
      case '--no-pairs': o.runPairs = false; break;
      case '--no-scale': o.runScale = false; break;
      case '--no-ecs': o.runEcs = false; break;
      case '--with-tests': o.withTests = true; break;
      case '--tests-path': o.testsPath = next(); o.withTests = true; break;
      case '--quick': o.quick = true; break;
      case '--out': o.out = next(); break;
      case '--library-from': {
        const v = next();
        if (v !== 'compiled' && v !== 'source') throw new Error(`--library-from takes compiled or source, got ${v}`);
        o.libraryFrom = v;
        break;
      }
      case '--help': case '-h':
        process.stdout.write(`${fs.readFileSync(__filename, 'utf8').split('*/')[0]}*/\n`);
        process.exit(0);
        break;
      default: throw new Error(`unknown flag ${a} (see --help)`);
    }
  }
  if (o.quick) {
    if (!explicit.has('pairs')) o.pairs = 2;
    if (!explicit.has('scaleReps')) o.scaleReps = 1;
    if (!explicit.has('scaleModes')) o.scaleModes = ['bare'];
    if (!explicit.has('services')) o.services = [1, 10];
    o.runEcs = false;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Running one synth

interface Run extends SynthResult {
  /** Wall time of the child process, measured by this process, ms. */
  readonly wallMs: number;
}

/** Where the transpiled library lives, when --library-from compiled. */
let compiledSrc: string | undefined;

/**
 * Transpiles every `.ts` file of src/ to JavaScript under bench/.cache/ (other files copied as
 * they are, for assets found next to the code), without type-checking: what the published
 * package's lib/ holds, minus declarations.
 */
function transpileLibrary(): string {
  const out = path.join(ROOT, 'bench', '.cache', 'compiled');
  fs.rmSync(out, { recursive: true, force: true });
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(path.join(ROOT, 'src'))) {
    const target = path.join(out, path.relative(ROOT, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
      }).outputText;
      fs.writeFileSync(target.replace(/\.ts$/, '.js'), js);
    }
  }
  return out;
}

function synthOnce(module: string, mode: SynthMode, params: Record<string, string | number> = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' };
  if (compiledSrc) env.BENCH_COMPILED_SRC = compiledSrc;
  else delete env.BENCH_COMPILED_SRC;
  if (mode === 'checks') delete env.CDK_VALIDATION;
  else env.CDK_VALIDATION = 'false';
  const args = ['-r', 'ts-node/register/transpile-only', 'bench/synth-once.ts', module, mode,
    ...Object.entries(params).map(([k, v]) => `${k}=${v}`)];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(`synth of ${module} (${mode}) failed with exit ${r.status}:\n${r.stderr}\n${r.stdout}`);
  }
  const result = JSON.parse(line) as SynthResult;
  if (result.error) throw new Error(`synth of ${module} (${mode}) threw: ${result.error}`);
  return { ...result, wallMs };
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** (max - min) / 2. */
function halfRange(xs: number[]): number {
  return xs.length < 2 ? 0 : (Math.max(...xs) - Math.min(...xs)) / 2;
}

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function log(s = ''): void {
  process.stdout.write(`${s}\n`);
}

/** `NetworkPublicAcl9B404FC7` -> `NetworkPublicAcl`. */
const shortName = (n: string) => n.replace(/[0-9A-F]{8}$/, '');

/** The tier a NACL serves, from its name. */
function tierOf(nacl: NaclCount): string {
  const m = /(Public|App|Data)/.exec(shortName(nacl.name));
  return m ? m[1].toLowerCase() : shortName(nacl.name);
}

// ---------------------------------------------------------------------------------------------
// Pairs: library vs hand-written, alternating, fresh processes

interface SideSummary {
  readonly module: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly medianWallMs: number;
  readonly medianLoadMs: number;
  readonly medianSynthMs: number;
  readonly medianMaxRssMb: number;
  readonly samplesMs: number[];
  readonly samplesWallMs: number[];
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
  readonly unacknowledgedFindings: Record<string, number>;
  readonly findingSamples: string[];
}

interface PairResult {
  readonly name: string;
  readonly description: string;
  readonly mode: SynthMode;
  readonly pairs: number;
  readonly library: SideSummary;
  readonly handwritten: SideSummary;
  /** library / hand-written, medians of in-process build+synth time. */
  readonly ratio: number;
  /** library / hand-written, medians of in-process CPU time over build+synth. */
  readonly cpuRatio: number;
  /** library / hand-written, medians of the child processes' wall time. */
  readonly wallRatio: number;
}

function summarize(module: string, runs: Run[]): SideSummary {
  const last = runs[runs.length - 1];
  return {
    module,
    runs: runs.length,
    medianMs: round(median(runs.map((r) => r.ms))),
    medianCpuMs: round(median(runs.map((r) => r.cpuMs))),
    medianWallMs: round(median(runs.map((r) => r.wallMs))),
    medianLoadMs: round(median(runs.map((r) => r.loadMs))),
    medianSynthMs: round(median(runs.map((r) => r.synthMs))),
    medianMaxRssMb: round(median(runs.map((r) => r.maxRssKb / 1024)), 1),
    samplesMs: runs.map((r) => round(r.ms)),
    samplesWallMs: runs.map((r) => round(r.wallMs)),
    resources: last.metrics.resources,
    resourceTypes: last.metrics.resourceTypes,
    unacknowledgedFindings: Object.fromEntries(Object.entries(last.findings).filter(([k]) => !k.startsWith('CloudFormation Validate/warning'))),
    findingSamples: last.findingSamples,
  };
}

function runPair(spec: PairSpec, mode: SynthMode, pairs: number): PairResult {
  // Warm-up pair (file-system cache, ts-node's first compile), discarded.
  synthOnce(spec.library, mode);
  synthOnce(spec.handwritten, mode);
  const lib: Run[] = [];
  const hand: Run[] = [];
  for (let i = 0; i < pairs; i++) {
    lib.push(synthOnce(spec.library, mode));
    hand.push(synthOnce(spec.handwritten, mode));
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  const library = summarize(spec.library, lib);
  const handwritten = summarize(spec.handwritten, hand);
  return {
    name: spec.name,
    description: spec.description,
    mode,
    pairs,
    library,
    handwritten,
    ratio: round(library.medianMs / handwritten.medianMs, 3),
    cpuRatio: round(library.medianCpuMs / handwritten.medianCpuMs, 3),
    wallRatio: round(library.medianWallMs / handwritten.medianWallMs, 3),
  };
}

function printPairs(results: PairResult[]): void {
  log(table(
    ['pair', 'mode', 'side', 'resources', 'build+synth ms', 'cpu ms', 'synth ms', 'load ms', 'wall ms', 'peak MB', 'ratio in-proc / cpu / wall'],
    results.flatMap((r) => [
      [r.name, r.mode, 'library', r.library.resources, r.library.medianMs, r.library.medianCpuMs, r.library.medianSynthMs, r.library.medianLoadMs, r.library.medianWallMs, r.library.medianMaxRssMb,
        `${r.ratio} / ${r.cpuRatio} / ${r.wallRatio}`],
      ['', '', 'hand-written', r.handwritten.resources, r.handwritten.medianMs, r.handwritten.medianCpuMs, r.handwritten.medianSynthMs, r.handwritten.medianLoadMs, r.handwritten.medianWallMs,
        r.handwritten.medianMaxRssMb, ''],
    ]),
  ));
  for (const r of results) {
    for (const side of [r.library, r.handwritten]) {
      if (Object.keys(side.unacknowledgedFindings).length > 0) {
        log(`  note: ${side.module} (${r.mode}) has unacknowledged findings ${JSON.stringify(side.unacknowledgedFindings)}: ${side.findingSamples.join('; ')}`);
      }
    }
  }
}

/** Resource types whose counts differ between the two sides. */
function resourceDiff(a: Record<string, number>, b: Record<string, number>): Array<{ type: string; library: number; handwritten: number }> {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    .filter((t) => (a[t] ?? 0) !== (b[t] ?? 0))
    .map((t) => ({ type: t, library: a[t] ?? 0, handwritten: b[t] ?? 0 }));
}

// ---------------------------------------------------------------------------------------------
// Scale runs

interface ScalePoint {
  readonly app: string;
  readonly mode: SynthMode;
  readonly azs: number;
  readonly services: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly medianCpuMs: number;
  /** Half the range (max - min) / 2 of the runs' elapsed ms: the noise of `medianMs`. */
  readonly spreadMs: number;
  /** Half the range of the runs' CPU ms. */
  readonly spreadCpuMs: number;
  readonly medianWallMs: number;
  readonly medianMaxRssMb: number;
  readonly resources: number;
  /** NACL entries by tier and direction, e.g. `{ public: { ingress: 4, egress: 4 } }`. */
  readonly naclEntries: Record<string, { ingress: number; egress: number }>;
  readonly maxNaclEntriesPerDirection: number;
  readonly securityGroups: number;
  readonly sgRulesTotal: number;
  readonly sgRulesMaxIngress: number;
  readonly sgRulesMaxEgress: number;
  /** The group with the most rules (ingress + egress). */
  readonly busiestGroup: string;
}

/** The service counts an app runs: those it can hold, plus its maximum in place of the larger ones. */
function serviceCounts(requested: number[], max: number): number[] {
  const fit = requested.filter((n) => n <= max);
  return requested.some((n) => n > max) && !fit.includes(max) ? [...fit, max] : fit;
}

function runScalePoint(app: ScaleApp, mode: SynthMode, azs: number, services: number, reps: number): ScalePoint {
  const runs: Run[] = [];
  for (let i = 0; i < reps; i++) runs.push(synthOnce(app.module, mode, { azs, services }));
  const m = runs[runs.length - 1].metrics;
  const naclEntries: Record<string, { ingress: number; egress: number }> = {};
  for (const n of m.nacls) naclEntries[tierOf(n)] = { ingress: n.ingress, egress: n.egress };
  const sgs: SecurityGroupCount[] = m.securityGroups;
  const busiest = [...sgs].sort((a, b) => (b.ingress + b.egress) - (a.ingress + a.egress))[0];
  return {
    app: app.name,
    mode,
    azs,
    services,
    runs: reps,
    medianMs: round(median(runs.map((r) => r.ms))),
    medianCpuMs: round(median(runs.map((r) => r.cpuMs))),
    spreadMs: round(halfRange(runs.map((r) => r.ms))),
    spreadCpuMs: round(halfRange(runs.map((r) => r.cpuMs))),
    medianWallMs: round(median(runs.map((r) => r.wallMs))),
    medianMaxRssMb: round(median(runs.map((r) => r.maxRssKb / 1024)), 1),
    resources: m.resources,
    naclEntries,
    maxNaclEntriesPerDirection: Math.max(0, ...m.nacls.flatMap((n) => [n.ingress, n.egress])),
    securityGroups: sgs.length,
    sgRulesTotal: sgs.reduce((s, g) => s + g.ingress + g.egress, 0),
    sgRulesMaxIngress: Math.max(0, ...sgs.map((g) => g.ingress)),
    sgRulesMaxEgress: Math.max(0, ...sgs.map((g) => g.egress)),
    busiestGroup: busiest ? `${shortName(busiest.name)} (${busiest.ingress} in / ${busiest.egress} out)` : '-',
  };
}

function printScale(points: ScalePoint[]): void {
  const naclCell = (p: ScalePoint) => ['public', 'app', 'data']
    .map((t) => (p.naclEntries[t] ? `${p.naclEntries[t].ingress}/${p.naclEntries[t].egress}` : '-')).join(' ');
  log(table(
    ['app', 'mode', 'AZs', 'services', 'resources', 'build+synth ms', 'cpu ms', 'wall ms', 'peak MB', 'NACL in/out pub app data', 'SGs', 'SG rules total', 'max in', 'max out', 'busiest group'],
    points.map((p) => [p.app, p.mode, p.azs, p.services, p.resources, p.medianMs, p.medianCpuMs, p.medianWallMs, p.medianMaxRssMb, naclCell(p),
      p.securityGroups, p.sgRulesTotal, p.sgRulesMaxIngress, p.sgRulesMaxEgress, p.busiestGroup]),
  ));
}

/** Per-service cost between consecutive service counts, per app, mode, AZ count and time measure. */
interface Growth {
  readonly app: string;
  readonly mode: SynthMode;
  readonly azs: number;
  /** `cpu` (in-process CPU time, judged: robust to other processes) or `elapsed` (in-process elapsed time, shown). */
  readonly metric: 'cpu' | 'elapsed';
  /**
   * Per-service cost between consecutive service counts, with its uncertainty: the two points'
   * half-ranges over the runs, divided by the services between them.
   */
  readonly increments: Array<{ from: number; to: number; msPerService: number; plusMinus: number }>;
  /** Least-squares slope and intercept of ms over services. */
  readonly fit: { msPerService: number; interceptMs: number };
  /**
   * `linear or better`: the last per-service increment is at most LINEAR_TOLERANCE times the
   * first, or exceeds it by less than the noise; `SUPERLINEAR`: it exceeds it by more than the
   * noise; `inconclusive`: the first increment is smaller than its own noise, so the row can't tell.
   */
  readonly verdict: 'linear or better' | 'SUPERLINEAR' | 'inconclusive';
}

/** How much the per-service cost may grow from the first increment to the last and still count as linear. */
const LINEAR_TOLERANCE = 1.5;

function growth(points: ScalePoint[], metric: 'cpu' | 'elapsed'): Growth[] {
  const out: Growth[] = [];
  const y = (p: ScalePoint) => (metric === 'cpu' ? p.medianCpuMs : p.medianMs);
  const e = (p: ScalePoint) => (metric === 'cpu' ? p.spreadCpuMs : p.spreadMs);
  const keys = [...new Set(points.map((p) => `${p.app}|${p.mode}|${p.azs}`))];
  for (const key of keys) {
    const ps = points.filter((p) => `${p.app}|${p.mode}|${p.azs}` === key).sort((a, b) => a.services - b.services);
    if (ps.length < 2) continue;
    const increments = ps.slice(1).map((p, i) => {
      const dn = p.services - ps[i].services;
      return { from: ps[i].services, to: p.services, msPerService: round((y(p) - y(ps[i])) / dn, 2), plusMinus: round((e(p) + e(ps[i])) / dn, 2) };
    });
    const n = ps.length;
    const mx = ps.reduce((s, p) => s + p.services, 0) / n;
    const my = ps.reduce((s, p) => s + y(p), 0) / n;
    const slope = ps.reduce((s, p) => s + (p.services - mx) * (y(p) - my), 0) / ps.reduce((s, p) => s + (p.services - mx) ** 2, 0);
    const first = increments[0];
    const last = increments[increments.length - 1];
    const excess = last.msPerService - LINEAR_TOLERANCE * Math.max(first.msPerService, 0);
    const verdict = increments.length < 2 || first.plusMinus >= Math.abs(first.msPerService)
      ? (excess > last.plusMinus + LINEAR_TOLERANCE * first.plusMinus ? 'SUPERLINEAR' : 'inconclusive')
      : (excess > last.plusMinus + LINEAR_TOLERANCE * first.plusMinus ? 'SUPERLINEAR' : 'linear or better');
    out.push({
      app: ps[0].app,
      mode: ps[0].mode,
      azs: ps[0].azs,
      metric,
      increments,
      fit: { msPerService: round(slope, 2), interceptMs: round(my - slope * mx) },
      verdict,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tests' wall time

interface TestRun {
  readonly command: string;
  /** False when --tests-path limited the run: the figure then says nothing about the target. */
  readonly wholeSuite: boolean;
  readonly wallSeconds: number;
  readonly exitCode: number | null;
  readonly numTotalTests?: number;
  readonly numFailedTests?: number;
  readonly numTotalTestSuites?: number;
  readonly cpus: number;
}

function timeTests(testsPath: string | undefined): TestRun {
  const outFile = path.join(ROOT, 'bench', 'results', 'jest.tmp.json');
  const command = `npx jest --ci${testsPath ? ` ${testsPath}` : ''}`;
  log(`timing \`${command}\` with CDK_VALIDATION=false ...`);
  const t0 = performance.now();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const r = spawnSync('npx', ['jest', '--ci', '--json', `--outputFile=${outFile}`, ...(testsPath ? [testsPath] : [])], {
    cwd: ROOT, env: { ...process.env, CDK_VALIDATION: 'false' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const wallSeconds = round((performance.now() - t0) / 1000, 1);
  let counts: Partial<TestRun> = {};
  if (fs.existsSync(outFile)) {
    const j = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    counts = { numTotalTests: j.numTotalTests, numFailedTests: j.numFailedTests, numTotalTestSuites: j.numTotalTestSuites };
    fs.rmSync(outFile, { force: true });
  }
  return { command: `CDK_VALIDATION=false ${command}`, wholeSuite: testsPath === undefined, wallSeconds, exitCode: r.status, ...counts, cpus: os.cpus().length };
}

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  readonly target: string;
  readonly met: boolean | 'not measured';
  readonly figure: string;
}

function targets(pairs: PairResult[], scale: ScalePoint[], grow: Growth[], tests: TestRun | undefined): Target[] {
  const out: Target[] = [];
  for (const p of pairs) {
    out.push({
      target: `library / hand-written synth time <= 1.10 (${p.name}, ${p.mode})`,
      met: p.ratio <= 1.1,
      figure: `in-process ${p.ratio} (${p.library.medianMs} / ${p.handwritten.medianMs} ms); cpu ${p.cpuRatio} (${p.library.medianCpuMs} / ${p.handwritten.medianCpuMs} ms); `
        + `wall ${p.wallRatio} (${p.library.medianWallMs} / ${p.handwritten.medianWallMs} ms)`,
    });
  }
  if (pairs.length === 0) out.push({ target: 'library / hand-written synth time <= 1.10', met: 'not measured', figure: '-' });

  if (scale.length > 0) {
    // Same app and service count, different AZ counts: the NACL entries must not change.
    const groups = [...new Set(scale.map((p) => `${p.app} ${p.services}`))];
    const varying = groups.filter((g) => new Set(scale.filter((p) => `${p.app} ${p.services}` === g).map((p) => JSON.stringify(p.naclEntries))).size > 1);
    out.push({
      target: 'NACL entries per tier and direction independent of the AZ count',
      met: varying.length === 0,
      figure: varying.length === 0
        ? `identical across AZs ${[...new Set(scale.map((p) => p.azs))].join(', ')} for every app and service count (${groups.map((g) => g.replace(' ', ' x')).join(', ')})`
        : `differ across AZ counts for ${varying.join(', ')} services`,
    });
    const maxSvc = Math.max(...scale.map((p) => p.services));
    const worst = Math.max(...scale.filter((p) => p.services === maxSvc).map((p) => p.maxNaclEntriesPerDirection));
    out.push({
      target: 'NACL entries per direction <= 20 at 50 services',
      met: maxSvc >= 50 ? worst <= 20 : 'not measured',
      figure: `${worst} at most, at ${maxSvc} services${maxSvc < 50 ? ' (50 not run)' : ''}`,
    });
  } else {
    out.push({ target: 'NACL entries per tier and direction independent of the AZ count, <= 20 at 50 services', met: 'not measured', figure: '-' });
  }
  const judged = grow.filter((g) => g.metric === 'cpu');
  if (judged.length > 0) {
    const bad = judged.filter((g) => g.verdict === 'SUPERLINEAR');
    const conclusive = judged.filter((g) => g.verdict === 'linear or better');
    out.push({
      target: 'synth time grows linearly (or better) with services (CPU time)',
      met: bad.length > 0 ? false : conclusive.length > 0 ? true : 'not measured',
      figure: `${conclusive.length} of ${judged.length} app/mode/AZ rows linear or better, ${bad.length} superlinear, `
        + `${judged.length - conclusive.length - bad.length} inconclusive (noise above the signal)${conclusive.length + bad.length > 0 ? '; ' : ''}`
        + (conclusive.concat(bad).slice(0, 4).map((g) => `${g.app}/${g.mode}/${g.azs}AZ ${g.increments.map((i) => `${i.from}->${i.to} ${i.msPerService}±${i.plusMinus}`).join(', ')} ms/svc`).join('; ')),
    });
  } else {
    out.push({ target: 'synth time grows linearly (or better) with services', met: 'not measured', figure: '-' });
  }
  out.push(tests
    ? {
      target: 'test command under 90 s (2 cores)',
      met: tests.wholeSuite ? tests.wallSeconds < 90 : 'not measured',
      figure: `${tests.wallSeconds} s on ${tests.cpus} cores, exit ${tests.exitCode}, ${tests.numTotalTests ?? '?'} tests in ${tests.numTotalTestSuites ?? '?'} suites, `
        + `${tests.numFailedTests ?? '?'} failed${tests.exitCode === 0 ? '' : ' (failures make the time less meaningful)'}${tests.wholeSuite ? '' : ' (a subset: --tests-path)'}`,
    }
    : { target: 'test command under 90 s (2 cores)', met: 'not measured', figure: 'run with --with-tests' });
  return out;
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  process.chdir(ROOT);
  const started = new Date();
  const loadBefore = os.loadavg();
  log(`cdk-network-patterns benchmarks, ${started.toISOString()}, node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`);

  if (o.libraryFrom === 'compiled') compiledSrc = transpileLibrary();
  log(`library loaded from ${o.libraryFrom === 'compiled' ? `JavaScript transpiled once into ${path.relative(ROOT, compiledSrc!)}` : 'its TypeScript source, through ts-node in every process'}`);

  const available = PAIRS.filter((p) => fs.existsSync(p.library) && fs.existsSync(p.handwritten))
    .filter((p) => !o.only || o.only.includes(p.name));
  const skipped = PAIRS.filter((p) => !available.includes(p)).map((p) => p.name);

  // Lines of user code.
  const loc = available.map((p) => ({
    pair: p.name, library: linesOfCode(p.library), handwritten: linesOfCode(p.handwritten), libraryFile: p.library, handwrittenFile: p.handwritten,
  }));
  if (loc.length > 0) {
    log('\n== Lines of user code (non-blank, non-comment)');
    log(table(['pair', 'library', 'hand-written', 'library / hand-written'], loc.map((l) => [l.pair, l.library, l.handwritten, round(l.library / l.handwritten, 2)])));
  }

  // Pairs.
  const pairResults: PairResult[] = [];
  const diffs: Record<string, ReturnType<typeof resourceDiff>> = {};
  if (o.runPairs) {
    log(`\n== Synth time, library vs hand-written (fresh process each, alternating, 1 warm-up pair + ${o.pairs} pairs, medians)`);
    if (skipped.length > 0) log(`(skipped, files missing or not selected: ${skipped.join(', ')})`);
    for (const p of available) {
      for (const mode of ['checks', 'bare'] as SynthMode[]) {
        process.stdout.write(`${p.name} ${mode} `);
        const r = runPair(p, mode, o.pairs);
        pairResults.push(r);
        if (mode === 'checks') diffs[p.name] = resourceDiff(r.library.resourceTypes, r.handwritten.resourceTypes);
      }
    }
    printPairs(pairResults);
    for (const [name, d] of Object.entries(diffs)) {
      if (d.length > 0) log(`  ${name}: resource types whose counts differ (library/hand-written): ${d.map((x) => `${x.type} ${x.library}/${x.handwritten}`).join(', ')}`);
    }
  }

  // Scale.
  const scale: ScalePoint[] = [];
  let grow: Growth[] = [];
  if (o.runScale) {
    const apps = SCALE_APPS.filter((a) => fs.existsSync(a.module) && (a.name !== 'ecs' || o.runEcs));
    log(`\n== Scale (apps ${apps.map((a) => a.name).join(', ')}; AZs ${o.azs.join(', ')}; services ${o.services.join(', ')}; modes ${o.scaleModes.join(', ')}; median of ${o.scaleReps})`);
    for (const app of apps) {
      const skippedCounts = o.services.filter((n) => n > app.maxServices);
      if (skippedCounts.length > 0) {
        log(`(${app.name}: services ${skippedCounts.join(', ')} replaced by ${app.maxServices}: above that the stack passes CloudFormation's 500 resources)`);
      }
      if (app.modes) log(`(${app.name}: modes ${app.modes.join(', ')} only)`);
    }
    for (const app of apps) {
      for (const mode of app.modes ?? o.scaleModes) {
        for (const azs of o.azs) {
          for (const services of serviceCounts(o.services, app.maxServices)) {
            process.stdout.write('.');
            scale.push(runScalePoint(app, mode, azs, services, o.scaleReps));
          }
        }
      }
    }
    process.stdout.write('\n');
    printScale(scale);
    grow = [...growth(scale, 'cpu'), ...growth(scale, 'elapsed')];
    log('\nper-service synth cost (ms per added service, between consecutive service counts; least-squares slope):');
    log(table(['app', 'mode', 'AZs', 'time', 'ms per added service (± noise)', 'slope ms/svc', 'verdict'],
      grow.map((g) => [g.app, g.mode, g.azs, g.metric, g.increments.map((i) => `${i.from}->${i.to}: ${i.msPerService} ±${i.plusMinus}`).join(', '), g.fit.msPerService, g.verdict])));
  }

  // Tests.
  const tests = o.withTests ? timeTests(o.testsPath) : undefined;
  if (tests) log(`\n== Test command: ${tests.command}: ${tests.wallSeconds} s wall, exit ${tests.exitCode}, ${tests.numTotalTests ?? '?'} tests, ${tests.numFailedTests ?? '?'} failed`);

  // Targets.
  const t = targets(pairResults, scale, grow, tests);
  log('\n== Targets');
  for (const x of t) log(`[${x.met === true ? 'met' : x.met === false ? 'MISSED' : x.met}] ${x.target}\n    ${x.figure}`);

  const loadAfter = os.loadavg();
  log(`\nload average at the end: ${loadAfter.map((l) => l.toFixed(2)).join(' ')} (a busy machine makes every figure noisy; compare ratios, not absolute times)`);

  const result: RunResult = {
    date: started.toISOString(),
    machine: { node: process.version, platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    options: o,
    linesOfCode: loc,
    pairs: pairResults,
    resourceDifferences: diffs,
    skippedPairs: skipped,
    scale,
    growth: grow,
    tests,
    targets: t,
  };
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
  if (o.out.endsWith('.tmp.json')) {
    log(`\nwrote ${o.out} (a scratch run: no markdown summary)`);
  } else {
    const md = `${o.out.replace(/\.json$/, '')}.md`;
    fs.writeFileSync(md, markdown(result));
    log(`\nwrote ${o.out} and ${md} (the figures in markdown, for bench/README.md)`);
  }
}

/** What a run writes to its JSON file. */
interface RunResult {
  readonly date: string;
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel?: string;
    readonly loadAverageBefore: number[];
    readonly loadAverageAfter: number[];
  };
  readonly options: Options;
  readonly linesOfCode: Array<{ pair: string; library: number; handwritten: number; libraryFile: string; handwrittenFile: string }>;
  readonly pairs: PairResult[];
  readonly resourceDifferences: Record<string, Array<{ type: string; library: number; handwritten: number }>>;
  readonly skippedPairs: string[];
  readonly scale: ScalePoint[];
  readonly growth: Growth[];
  readonly tests?: TestRun;
  readonly targets: Target[];
}

/** The run's figures as markdown, for the README's "last measured figures". */
function markdown(r: RunResult): string {
  const mdTable = (headers: string[], rows: Array<Array<string | number>>) =>
    [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const out: string[] = [];
  out.push(`Run of ${r.date.slice(0, 16).replace('T', ' ')} UTC: ${r.machine.cpus} cores, Node ${r.machine.node}, load average ${load(r.machine.loadAverageBefore)} `
    + `before and ${load(r.machine.loadAverageAfter)} after; ${r.options.pairs} pairs after a warm-up pair, ${r.options.scaleReps} runs per scale point, `
    + `library loaded ${r.options.libraryFrom === 'compiled' ? 'as transpiled JavaScript' : 'through ts-node'}.`);
  out.push('', '**Targets**', '');
  out.push(mdTable(['target', 'met', 'figure'], r.targets.map((x) => [x.target, x.met === true ? 'yes' : x.met === false ? '**no**' : x.met, x.figure.replace(/\|/g, '/')])));
  if (r.linesOfCode.length > 0) {
    out.push('', '**Lines of user code** (non-blank, non-comment)', '');
    out.push(mdTable(['pair', 'library', 'hand-written', 'library / hand-written'], r.linesOfCode.map((l) => [l.pair, l.library, l.handwritten, round(l.library / l.handwritten, 2)])));
  }
  if (r.pairs.length > 0) {
    out.push('', '**Synth time, library vs hand-written** (medians)', '');
    out.push(mdTable(['pair', 'mode', 'side', 'resources', 'build+synth ms', 'cpu ms', 'load ms', 'wall ms', 'peak MB', 'ratio in-proc / cpu / wall'],
      r.pairs.flatMap((p) => [
        [p.name, p.mode, 'library', p.library.resources, p.library.medianMs, p.library.medianCpuMs, p.library.medianLoadMs, p.library.medianWallMs, p.library.medianMaxRssMb,
          `${p.ratio} / ${p.cpuRatio} / ${p.wallRatio}`],
        ['', '', 'hand-written', p.handwritten.resources, p.handwritten.medianMs, p.handwritten.medianCpuMs, p.handwritten.medianLoadMs, p.handwritten.medianWallMs,
          p.handwritten.medianMaxRssMb, ''],
      ])));
  }
  if (r.scale.length > 0) {
    const naclCell = (p: ScalePoint) => ['public', 'app', 'data'].map((t) => (p.naclEntries[t] ? `${p.naclEntries[t].ingress}/${p.naclEntries[t].egress}` : '-')).join(', ');
    out.push('', '**Scale** (medians; NACL entries in/out per tier: public, app, data)', '');
    out.push(mdTable(['app', 'mode', 'AZs', 'services', 'resources', 'build+synth ms', 'cpu ms', 'peak MB', 'NACL entries', 'SGs', 'SG rules', 'max in / out per group'],
      r.scale.map((p) => [p.app, p.mode, p.azs, p.services, p.resources, p.medianMs, p.medianCpuMs, p.medianMaxRssMb, naclCell(p),
        p.securityGroups, p.sgRulesTotal,
        `${p.sgRulesMaxIngress} / ${p.sgRulesMaxEgress}`])));
    out.push('', '**Cost per added service** (CPU ms, ± noise)', '');
    out.push(mdTable(['app', 'mode', 'AZs', 'per added service', 'slope', 'verdict'],
      r.growth.filter((g) => g.metric === 'cpu').map((g) => [g.app, g.mode, g.azs,
        g.increments.map((i) => `${i.from}->${i.to}: ${i.msPerService} ±${i.plusMinus}`).join(', '), g.fit.msPerService, g.verdict])));
  }
  if (r.tests) {
    const t = r.tests;
    out.push('', `**Tests**: \`${t.command}\`: ${t.wallSeconds} s, exit ${t.exitCode}, ${t.numTotalTests ?? '?'} tests, ${t.numFailedTests ?? '?'} failed.`);
  }
  return `${out.join('\n')}\n`;
}

main();
