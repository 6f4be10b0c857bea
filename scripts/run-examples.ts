/**
 * The main job (`npm run examples`): synthesizes every app in examples/ with the checks on
 * (scripts/synth-example.ts) into cdk.out/examples/<example>/, in parallel worker processes, then
 * lints every template with cfn-lint in one run and parses every diagram with Mermaid's parser,
 * writes cdk.out/examples/REPORT.md, and exits non-zero when any example fails to synthesize, has
 * an unacknowledged error, a cfn-lint error, an analyzer failure or a diagram that does not parse.
 * Run as root, it then emulates every example with real sockets (`cdk-network-patterns emulate`)
 * and fails when a probe does.
 * No AWS credentials are needed: the examples pin their AZs.
 *
 * Usage: npm run examples [-- [--guard] [--workers N] <example> ...]
 *   --guard      also run the AWS Control Tower proactive controls (cfn-guard rules)
 *   --workers N  worker processes (default: the number of CPUs, at most 4)
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMermaid } from './diagram';
import { renderReport } from './report';
import type { CfnLintResult, ExampleSummary } from './synth-example';

const OUT = path.join('cdk.out', 'examples');

interface Options {
  readonly examples: string[];
  readonly guard: boolean;
  readonly workers: number;
}

function options(argv: string[]): Options {
  const all = fs.readdirSync('examples').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const only: string[] = [];
  let guard = false;
  let workers = Math.min(4, Math.max(1, os.cpus().length));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    else if (a === '--guard') guard = true;
    else if (a === '--workers') workers = Math.max(1, Number(argv[++i]) || 1);
    else only.push(a);
  }
  const unknown = only.filter((o) => !all.includes(o));
  if (unknown.length) throw new Error(`Unknown example(s): ${unknown.join(', ')}. Examples: ${all.join(', ')}`);
  return { examples: only.length ? only : all, guard, workers };
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

/** Runs the examples over `workers` processes, each taking the next example when it is done. */
function synthAll(opts: Options, onDone: (s: ExampleSummary) => void): Promise<void> {
  const queue = [...opts.examples];
  const worker = () => new Promise<void>((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('scripts', 'synth-example.ts'), '--worker'], {
      env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json'), EXAMPLES_GUARD: opts.guard ? '1' : '' },
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
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith('done ') || !current) continue;
        const file = path.join(OUT, current.example, 'summary.json');
        onDone(JSON.parse(fs.readFileSync(file, 'utf8')));
        next();
      }
    });
    child.on('close', (code) => {
      if (current) onDone(failedSummary(current.example, (Date.now() - current.started) / 1000, `worker exited (${code}): ${stderr}`));
      resolve();
    });
    next();
  });
  return Promise.all(Array.from({ length: Math.min(opts.workers, queue.length) }, worker)).then(() => undefined);
}

/** cfn-lint over every template in one process (its start-up is most of its cost), by template. */
function cfnLintAll(templates: string[]): Promise<Map<string, CfnLintResult>> {
  const results = new Map<string, CfnLintResult>();
  return new Promise((resolve) => {
    if (!templates.length) return resolve(results);
    const child = spawn('cfn-lint', ['--format', 'parseable', ...templates], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', () => {
      for (const t of templates) results.set(t, { ran: false, errors: [], warnings: [], note: 'cfn-lint is not installed: skipped (pip install cfn-lint to run it)' });
      resolve(results);
    });
    child.on('close', (code) => {
      for (const t of templates) results.set(t, { ran: true, errors: [], warnings: [] });
      for (const line of out.split('\n').filter(Boolean)) {
        // parseable: file:line:col:endline:endcol:RULE:message
        const template = templates.find((t) => line.startsWith(`${t}:`));
        const rule = line.split(':')[5] ?? '';
        const r = template ? results.get(template)! : undefined;
        if (!r) continue;
        (rule.startsWith('E') ? r.errors : r.warnings).push(line.slice(template!.length + 1));
      }
      // cfn-lint's exit code is a bit mask: 2 = an error was found; anything else above 31 is a crash.
      // eslint-disable-next-line no-bitwise
      if (code !== null && (code > 31 || ((code & 2) !== 0 && [...results.values()].every((r) => !r.errors.length)))) {
        results.get(templates[0])!.errors.push(`cfn-lint failed (exit ${code}): ${err}`);
      }
      resolve(results);
    });
  });
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
 * The packet-level emulation of every synthesized example (`cdk-network-patterns emulate`), which
 * needs root; writes cdk.out/examples/<example>/emulation.json. Returns the examples that failed.
 */
function emulate(names: string[]): string[] {
  if (process.getuid?.() !== 0) {
    console.log('\nEmulation: SKIPPED, it needs root (network namespaces). Run `sudo npm run examples`, as CI does.');
    return [];
  }
  console.log('\nEmulation (real sockets through the rebuilt network):');
  const failed: string[] = [];
  for (const name of names) {
    const dir = path.join(OUT, name);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('src', 'cli', 'main.ts'), 'emulate', dir,
      '--json', path.join(dir, 'emulation.json')], { encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json') } });
    const out = `${child.stdout}${child.stderr}`.trim().split('\n');
    console.log(`  ${name}: ${out[out.length - 1]} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (child.status !== 0) {
      failed.push(name);
      for (const l of out.filter((x) => x.startsWith('| FAILED') || x.startsWith('cdk-network-patterns'))) console.log(`    ${l}`);
    }
  }
  return failed;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  fs.mkdirSync(OUT, { recursive: true });
  const started = Date.now();
  console.log(`${opts.examples.length} examples on ${opts.workers} worker processes${opts.guard ? ', AWS Control Tower proactive controls on' : ''}`);
  const done: ExampleSummary[] = [];
  await synthAll(opts, (s) => {
    done.push(s);
    console.log(`[${done.length}/${opts.examples.length}] ${s.example} ${s.ok ? 'ok' : 'FAILED'} (${s.seconds.toFixed(1)} s)`);
  });
  const synthesized = opts.examples.map((e) => done.find((s) => s.example === e)!);
  // cfn-lint (Python) and Mermaid's parser (Node) run side by side on the two cores.
  const diagrams = synthesized.flatMap((s) => s.diagrams.map((d) => ({ example: s.example, ...d })));
  const [lint, parsed] = await Promise.all([
    cfnLintAll(synthesized.flatMap((s) => s.templates)),
    new Promise<ReturnType<typeof parseMermaid>>((resolve) => setImmediate(() => resolve(parseMermaid(diagrams.map((d) => d.mermaid))))),
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
  const emulationFailed = emulate(summaries.filter((x) => x.ok).map((x) => x.example));
  const failed = summaries.filter((s) => !s.ok || emulationFailed.includes(s.example));
  console.log(`${summaries.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
