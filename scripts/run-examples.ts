/**
 * The main job (`npm run examples`): synthesizes every app in examples/ in a fresh process with
 * the checks on (scripts/synth-example.ts), into cdk.out/examples/<example>/, shows progress, writes
 * cdk.out/examples/REPORT.md, and exits non-zero when any example fails to synthesize or has an
 * unacknowledged error. No AWS credentials are needed: the examples pin their AZs.
 *
 * Usage: npm run examples [-- <example> ...]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ExampleSummary } from './synth-example';

const OUT = path.join('cdk.out', 'examples');
/** The rule-id prefixes of the packs the main job registers (scripts/synth-example.ts). */
const PACKS = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'NetworkPatterns', 'CloudFormation-Validate'];

function examples(only: string[]): string[] {
  const all = fs.readdirSync('examples').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.replace(/\.ts$/, '')).sort();
  const unknown = only.filter((o) => !all.includes(o));
  if (unknown.length) throw new Error(`Unknown example(s): ${unknown.join(', ')}. Examples: ${all.join(', ')}`);
  return only.length ? only : all;
}

function report(summaries: ExampleSummary[]): string {
  const lines = ['# Examples report', '', '| example | result | seconds | stacks | cfn-lint |', '| --- | --- | --- | --- | --- |'];
  for (const s of summaries) {
    const lint = s.cfnLint.ran ? `${s.cfnLint.errors.length} errors, ${s.cfnLint.warnings} warnings` : (s.cfnLint.note ?? 'not run');
    lines.push(`| ${s.example} | ${s.ok ? 'ok' : 'FAILED'} | ${s.seconds.toFixed(1)} | ${s.stacks.join(', ')} | ${lint} |`);
  }
  for (const s of summaries) {
    lines.push('', `## ${s.example}`, '');
    if (s.error) lines.push('```', s.error, '```');
    for (const d of s.diagrams) lines.push(`### Network: ${d.vpc}`, '', '```mermaid', d.mermaid, '```', '');
    for (const r of s.reachability) {
      lines.push(`### Reachability: ${r.vpc}`, '', 'Declared flows, as the analyzer proves them on the synthesized template:', '',
        '| from | to | port | verdict |', '| --- | --- | --- | --- |');
      for (const d of r.declared) lines.push(`| ${d.from} | ${d.to} | ${d.port} | ${d.verdict} |`);
      lines.push('', 'What the internet reaches, exactly (every node of the VPC, every TCP/UDP port range, IPv4 and IPv6):', '',
        '| node | kind | ports |', '| --- | --- | --- |');
      for (const e of r.internetExposure) lines.push(`| ${e.node} | ${e.kind} | ${e.ports.join(', ')} |`);
      if (!r.internetExposure.length) lines.push('| (nothing) | | |');
      lines.push('', `Undeclared openings between every node, tier and the internet: ${r.undeclaredOpen.length} live or unknown, ` +
        `${r.latent.length} latent (one layer alone stops each).`, '');
      for (const u of r.undeclaredOpen) lines.push(`- ${u}`);
      for (const u of r.latent) lines.push(`- latent: ${u}`);
      for (const f of r.failures) lines.push(`- FAILED: ${f}`);
    }
    lines.push('### Resources', '', '| type | count |', '| --- | --- |');
    for (const [type, n] of Object.entries(s.resources).sort()) lines.push(`| ${type} | ${n} |`);
    lines.push('', '### Checks per pack', '', '| pack | unacknowledged findings | acknowledgments |', '| --- | --- | --- |');
    for (const pack of PACKS) {
      const findings = s.findings.filter((f) => f.rule.startsWith(`${pack}-`)).length;
      const acks = s.acknowledgments.filter((a) => a.id.startsWith(`${pack}-`) || a.id.startsWith(`${pack}::`)).length;
      lines.push(`| ${pack} | ${findings} | ${acks} |`);
    }
    lines.push('', '### Findings', '');
    if (!s.findings.length) lines.push('No unacknowledged findings.');
    for (const f of s.findings) lines.push(`- ${f.plugin} ${f.rule} (${f.severity}): ${f.description} at ${f.paths.join(', ')}`);
    lines.push('', '### Acknowledgments', '', '| construct | rule | reason |', '| --- | --- | --- |');
    for (const a of s.acknowledgments) lines.push(`| ${a.path} | ${a.id} | ${a.reason.replace(/\|/g, '\\|')} |`);
    for (const e of s.cfnLint.errors) lines.push(`- cfn-lint: ${e}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The packet-level emulation of every synthesized example (`cdk-network-patterns emulate`), which
 * needs root; writes cdk.out/examples/<example>/emulation.json. Returns how many failed.
 */
function emulate(names: string[]): number {
  if (process.getuid?.() !== 0) {
    console.log('\nEmulation: SKIPPED, it needs root (network namespaces). Run `sudo npm run examples`, as CI does.');
    return 0;
  }
  console.log('\nEmulation (real sockets through the rebuilt network):');
  let failed = 0;
  for (const name of names) {
    const dir = path.join(OUT, name);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('src', 'cli', 'main.ts'), 'emulate', dir,
      '--json', path.join(dir, 'emulation.json')], { encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json') } });
    const out = `${child.stdout}${child.stderr}`.trim().split('\n');
    console.log(`  ${name}: ${out[out.length - 1]} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (child.status !== 0) {
      failed++;
      for (const l of out.filter((x) => x.startsWith('| FAILED') || x.startsWith('cdk-network-patterns'))) console.log(`    ${l}`);
    }
  }
  return failed;
}

function main(): void {
  const names = examples(process.argv.slice(2).filter((a) => a !== '--'));
  fs.mkdirSync(OUT, { recursive: true });
  const summaries: ExampleSummary[] = [];
  const started = Date.now();
  names.forEach((name, i) => {
    process.stdout.write(`[${i + 1}/${names.length}] ${name} ... `);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('scripts', 'synth-example.ts'), name], {
      encoding: 'utf8',
      env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json') },
      maxBuffer: 64 * 1024 * 1024,
    });
    const summaryFile = path.join(OUT, name, 'summary.json');
    const summary: ExampleSummary = fs.existsSync(summaryFile) && child.status !== null
      ? JSON.parse(fs.readFileSync(summaryFile, 'utf8'))
      : {
        example: name,
        ok: false,
        seconds: (Date.now() - t0) / 1000,
        error: `${child.stderr}${child.stdout}`,
        stacks: [],
        templates: [],
        cfnLint: { ran: false, errors: [], warnings: 0 },
        findings: [],
        acknowledgments: [],
        resources: {},
      };
    summaries.push(summary);
    console.log(`${summary.ok ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    if (!summary.ok) {
      if (summary.error) console.log(summary.error.split('\n').map((l) => `    ${l}`).join('\n'));
      for (const f of summary.findings) console.log(`    ${f.plugin} ${f.rule} (${f.severity}): ${f.description} at ${f.paths.join(', ')}`);
      for (const r of summary.reachability) for (const f of r.failures) console.log(`    analyzer (${r.vpc}): ${f}`);
      for (const e of summary.cfnLint.errors) console.log(`    cfn-lint: ${e}`);
    }
    if (summary.cfnLint.note) console.log(`    note: ${summary.cfnLint.note}`);
  });
  fs.writeFileSync(path.join(OUT, 'REPORT.md'), report(summaries));
  const failed = summaries.filter((s) => !s.ok);
  console.log(`\nReport: ${path.join(OUT, 'REPORT.md')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log(`${summaries.length - failed.length} passed, ${failed.length} failed`);
  const emulationFailed = emulate(summaries.filter((s) => s.ok).map((s) => s.example));
  process.exitCode = failed.length || emulationFailed ? 1 : 0;
}

main();
