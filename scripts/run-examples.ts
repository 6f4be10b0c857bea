/**
 * The main job (`npm run examples`): synthesizes every app in examples/ with the checks on
 * (scripts/synth-example.ts: the cdk-nag packs, the template validator, the reachability analyzer
 * and the AWS Control Tower proactive controls) into cdk.out/examples/<example>/, in worker
 * processes, lints each example's templates with cfn-lint as soon as it is synthesized (beside the
 * synthesis of the next), parses every diagram with Mermaid's parser, writes
 * cdk.out/examples/REPORT.md, and exits non-zero when any example fails to synthesize, has an
 * unacknowledged error or Control Tower finding, a cfn-lint error, an analyzer failure or a diagram
 * that does not parse.
 * Run as root, it also emulates every example with real sockets (src/emulate, as
 * `cdk-network-patterns emulate` does), in this process, as soon as the example is synthesized and
 * several at once (each in its own namespaces), and fails when a probe does; the results, with a
 * hash of the templates they were probed on, go to cdk.out/examples/<example>/emulation.json.
 * No AWS credentials are needed: the examples pin their AZs.
 *
 * Usage: npm run examples [-- [--no-guard] [--workers N] [--emulations N] <example> ...]
 *   --no-guard       skip the AWS Control Tower proactive controls (cfn-guard rules)
 *   --workers N      synthesis worker processes (default: one less than the number of CPUs, 1 to 4)
 *   --emulations N   examples emulated at once (default 4; they mostly wait on sockets)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnLint } from './cfn-lint';
import { exitText } from './child';
import { MermaidParser, mermaidParser } from './diagram';
import { EmulationFile, emulationFile, templatesHash } from './emulation-results';
import { renderReport } from './report';
import type { CfnLintResult, ExampleSummary } from './synth-example';
import { environmentProblem, readTemplates, renderTable } from '../src/cli/emulate';
import { emulate as emulateTemplates } from '../src/emulate/emulator';

const OUT = path.join('cdk.out', 'examples');

interface Options {
  readonly examples: string[];
  readonly guard: boolean;
  readonly workers: number;
  readonly emulations: number;
}

function options(argv: string[]): Options {
  const all = fs.readdirSync('examples').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const only: string[] = [];
  let guard = true;
  // A core is left to cfn-guard, cfn-lint and the emulation, which run beside the synthesis: on the
  // 2-core machine, one worker is faster than two (41 s against 55 s for the job): two synthesizing
  // Node.js processes at once need half as much CPU again.
  let workers = Math.min(4, Math.max(1, os.cpus().length - 1));
  let emulations = 4;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    else if (a === '--guard') guard = true;
    else if (a === '--no-guard') guard = false;
    else if (a === '--workers') workers = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--emulations') emulations = Math.max(1, Number(argv[++i]) || 1);
    else only.push(a);
  }
  const unknown = only.filter((o) => !all.includes(o));
  if (unknown.length) throw new Error(`Unknown example(s): ${unknown.join(', ')}. Examples: ${all.join(', ')}`);
  return { examples: only.length ? only : all, guard, workers, emulations };
}

function failedSummary(example: string, seconds: number, error: string): ExampleSummary {
  return {
    example,
    ok: false,
    seconds,
    error,
    stacks: [],
    templates: [],
    cfnLint: { ran: false, errors: [], warnings: [], note: 'not run: synthesis failed' },
    findings: [],
    acknowledgments: [],
    resources: {},
    diagrams: [],
    reachability: [],
  };
}

/**
 * Runs the examples over `workers` processes, each taking the next example when it is done. A
 * worker that dies fails the example it was synthesizing, and a new one takes the rest.
 */
function synthAll(opts: Options, onDone: (s: ExampleSummary) => void): Promise<void> {
  const queue = [...opts.examples];
  const worker = (): Promise<void> => new Promise<void>((resolve) => {
    // Transpiled by esbuild as this process is (esbuild-register): a fifth of ts-node's CPU.
    const child = spawn(process.execPath, ['-r', 'esbuild-register', path.join('scripts', 'synth-example.ts'), '--worker'], {
      env: { ...process.env, EXAMPLES_GUARD: opts.guard ? '1' : '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let current: { example: string; started: number } | undefined;
    let stderr = '';
    let buffer = '';
    const next = () => {
      const example = queue.shift();
      if (example === undefined) {
        current = undefined;
        child.stdin.end();
        return;
      }
      current = { example, started: Date.now() };
      stderr = '';
      child.stdin.write(`${example}\n`);
    };
    child.stdin.on('error', () => { /* the worker died: told by its exit */ });
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('done ') || !current) continue;
        const { example, started } = current;
        try {
          onDone(JSON.parse(fs.readFileSync(path.join(OUT, example, 'summary.json'), 'utf8')));
        } catch (e) {
          onDone(failedSummary(example, (Date.now() - started) / 1000, `its summary could not be read: ${(e as Error).message}`));
        }
        next();
      }
    });
    child.on('close', (code, signal) => {
      if (!current) return resolve();
      onDone(failedSummary(current.example, (Date.now() - current.started) / 1000, `the synthesis worker died (${exitText(code, signal)}): ${stderr}`));
      resolve(queue.length ? worker() : undefined);
    });
    next();
  });
  return Promise.all(Array.from({ length: Math.min(opts.workers, queue.length) }, worker)).then(() => undefined);
}

function mergeLint(s: ExampleSummary, lint: Map<string, CfnLintResult>): ExampleSummary {
  if (!s.templates.length) return s;
  const parts = s.templates.map((t) => ({ t: path.basename(t), r: lint.get(t) }));
  const note = parts.find((p) => p.r?.note)?.r?.note;
  const cfnLint: CfnLintResult = {
    ran: parts.every((p) => p.r?.ran),
    errors: parts.flatMap((p) => (p.r?.errors ?? []).map((e) => `${p.t}:${e}`)),
    warnings: parts.flatMap((p) => (p.r?.warnings ?? []).map((w) => `${p.t}:${w}`)),
    ...(note ? { note } : {}),
  };
  return { ...s, cfnLint, ok: s.ok && cfnLint.errors.length === 0 };
}

/**
 * The packet-level emulation of the main job, which needs root: examples are emulated as they
 * come (`add`), at most `limit` at once, each under its own namespace prefix. `done()` resolves
 * to the examples that failed.
 */
class Emulations {
  public readonly enabled: boolean;
  private readonly running: Array<Promise<void>> = [];
  private readonly waiting: Array<() => void> = [];
  private readonly failed: string[] = [];
  private active = 0;
  private count = 0;

  constructor(private readonly limit: number) {
    const problem = process.platform === 'linux' ? environmentProblem() : 'it needs Linux network namespaces.';
    this.enabled = !problem;
    if (problem) console.log(`Emulation: SKIPPED, ${problem} CI runs the main job as root.`);
  }

  public add(example: string): void {
    if (!this.enabled) return;
    const index = this.count++;
    this.running.push(this.slot().then(() => this.run(example, index)).finally(() => this.release()));
  }

  public async done(): Promise<string[]> {
    await Promise.all(this.running);
    return this.failed;
  }

  private slot(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => {
      this.active++;
      resolve();
    }));
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async run(example: string, index: number): Promise<void> {
    const dir = path.join(OUT, example);
    const t0 = Date.now();
    try {
      const templates = readTemplates([dir]);
      // cnpe + this process in base 36 + the example's index: unique on the host, at most 12 characters.
      const prefix = `cnpe${process.pid.toString(36)}${index.toString(36)}`;
      const report = await emulateTemplates(templates, { prefix });
      const file: EmulationFile = { ...report, templatesSha256: templatesHash(templates) };
      fs.writeFileSync(emulationFile(example, OUT), JSON.stringify(file, null, 2) + '\n');
      fs.writeFileSync(path.join(dir, 'emulation.md'), renderTable(report) + '\n');
      console.log(`  emulated ${example}: ${report.passed} passed, ${report.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
        `${report.namespaces} namespaces)`);
      if (report.failed > 0) {
        this.failed.push(example);
        for (const l of renderTable(report).split('\n').filter((x) => x.startsWith('| FAILED'))) console.log(`    ${l}`);
      }
    } catch (e) {
      this.failed.push(example);
      console.log(`  emulated ${example}: FAILED: ${(e as Error).message}`);
    }
  }
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  fs.mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  console.log(`${opts.examples.length} examples on ${opts.workers} worker processes, AWS Control Tower proactive controls ${opts.guard ? 'on' : 'off (--no-guard)'}`);
  const emulations = new Emulations(opts.emulations);
  // cfn-lint and Mermaid's parser start now (loading them is most of their cost), beside the synthesis.
  const cfnLint = new CfnLint();
  const mermaid = mermaidParser();
  try {
    await run(opts, started, emulations, cfnLint, mermaid);
  } finally {
    // Stopped if the job failed before handing them their last input.
    cfnLint.stop();
    mermaid.stop();
  }
}

async function run(opts: Options, started: number, emulations: Emulations, cfnLint: CfnLint, mermaid: MermaidParser): Promise<void> {
  const done: ExampleSummary[] = [];
  await synthAll(opts, (s) => {
    done.push(s);
    console.log(`[${done.length}/${opts.examples.length}] ${s.example} ${s.ok ? 'ok' : 'FAILED'} (${s.seconds.toFixed(1)} s)`);
    // Linted and emulated while the next examples synthesize.
    cfnLint.add(s.templates);
    if (s.ok) emulations.add(s.example);
  });
  const synthesized = opts.examples.map((e) => done.find((s) => s.example === e)!);
  const diagrams = synthesized.flatMap((s) => s.diagrams.map((d) => ({ example: s.example, ...d })));
  const [lint, parsed] = await Promise.all([
    cfnLint.done(),
    // A parser that fails to run fails every diagram, with its reason, and the report is still written.
    mermaid.parse(diagrams.map((d) => d.mermaid)).catch((e: Error) => diagrams.map(() => ({ ok: false, error: e.message }))),
  ]);
  const summaries = synthesized.map((s) => {
    const merged = mergeLint(s, lint);
    const broken = parsed.flatMap((p, i) => (!p.ok && diagrams[i].example === s.example ? [`diagram of ${diagrams[i].vpc} does not parse: ${p.error}`] : []));
    return broken.length ? { ...merged, ok: false, error: [merged.error, ...broken].filter(Boolean).join('\n') } : merged;
  });
  for (const s of summaries.filter((x) => !x.ok)) {
    console.log(`${s.example}:`);
    if (s.error) console.log(s.error.split('\n').map((l) => `    ${l}`).join('\n'));
    for (const f of s.findings) console.log(`    ${f.plugin} ${f.rule} (${f.severity}): ${f.description} at ${f.paths.join(', ')}`);
    for (const r of s.reachability) for (const f of r.failures) console.log(`    analyzer (${r.vpc}): ${f}`);
    for (const e of s.cfnLint.errors) console.log(`    cfn-lint: ${e}`);
  }
  const note = summaries.find((s) => s.cfnLint.note && s.cfnLint.note !== 'not run: synthesis failed')?.cfnLint.note;
  if (note) console.log(`note: ${note}`);
  const seconds = (Date.now() - started) / 1000;
  fs.writeFileSync(path.join(OUT, 'REPORT.md'), renderReport(summaries, { seconds, workers: opts.workers, guard: opts.guard }));
  console.log(`\nReport: ${path.join(OUT, 'REPORT.md')} (${seconds.toFixed(1)} s)`);
  const emulationFailed = await emulations.done();
  if (emulations.enabled) console.log(`Emulation done (${((Date.now() - started) / 1000).toFixed(1)} s from the start)`);
  const failed = summaries.filter((s) => !s.ok || emulationFailed.includes(s.example));
  console.log(`${summaries.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
