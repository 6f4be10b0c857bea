/**
 * `cdk-network-patterns emulate [options] <cdk.out directory or template file>...`
 *
 * Rebuilds the synthesized network in Linux network namespaces and carries every declared flow
 * with real sockets (see src/emulate/). Needs root, iproute2 and nftables; installs nothing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { AGENT_CHECK } from '../emulate/agent';
import { checkSomethingToProve, emulate, EmulationReport, NothingToProveError, ProbeResult } from '../emulate/emulator';
import { pythonCommand } from '../emulate/netns';
import { RecordedFlow } from '../emulate/topology-from-templates';

const USAGE = `Usage: cdk-network-patterns emulate [options] <cdk.out directory or template file>...

Rebuilds the templates' VPCs as Linux network namespaces (a router per VPC, a bridge per subnet,
a namespace per ENI, NACLs as stateless nftables chains, security groups as stateful ones, route
tables as policy routing, an internet behind the internet gateway, NAT gateways, load balancers)
and carries every declared flow with a real TCP handshake or UDP exchange, from both ends of the
client's ephemeral range and every NACL port boundary in it. Then probes the undeclared openings
the reachability analyzer samples, and compares the packets with the analyzer's verdicts.

Needs root (sudo), the ip (iproute2) and nft (nftables) commands and Python 3 (the socket agent):
  sudo apt-get install -y iproute2 nftables python3

Declared flows are read from the templates (a TieredVpc records them on its VPC resource);
add others with --flow.

Options:
  --json <file>         also write the results as JSON ('-' for standard output, then no table)
  --timeout <ms>        how long a handshake may take before it counts as blocked (default 600)
  --no-undeclared       probe the declared flows only
  --flow <spec>         a flow to probe, as FROM_PATH=>TO_PATH:tcp/PORT[-PORT] (a path is a construct
                        path or logical id; 'internet' or internet/CIDR for the internet); repeatable
  -h, --help            this text

Exit code: 0 when every probe passed, 1 when one failed, 2 on a usage or environment error.`;

interface Args {
  readonly inputs: string[];
  readonly json?: string;
  readonly timeout?: number;
  readonly undeclared: boolean;
  readonly flows: RecordedFlow[];
}

class UsageError extends Error {}

export function parseArgs(argv: string[]): Args | 'help' {
  const inputs: string[] = [];
  const flows: RecordedFlow[] = [];
  let json: string | undefined;
  let timeout: number | undefined;
  let undeclared = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value.`);
      return v;
    };
    if (a === '-h' || a === '--help') {return 'help';} else if (a === '--json') {json = value();} else if (a === '--timeout') {
      const v = value();
      timeout = Number(v);
      if (!Number.isInteger(timeout) || timeout < 50 || timeout > 60000) throw new UsageError(`--timeout must be a whole number of milliseconds from 50 to 60000, got '${v}'.`);
    } else if (a === '--no-undeclared') {undeclared = false;} else if (a === '--flow') {flows.push(parseFlow(value()));} else if (a.startsWith('-') && a !== '-') {throw new UsageError(`unknown option '${a}'.`);} else {inputs.push(a);}
  }
  if (inputs.length === 0) throw new UsageError('give at least one cdk.out directory or template file.');
  return { inputs, json, timeout, undeclared, flows };
}

/** `App/Web=>App/Db:tcp/5432`, `internet/203.0.113.0/24=>App/Nlb:tcp/443`. */
export function parseFlow(spec: string): RecordedFlow {
  const m = /^(.+)=>(.+):(tcp|udp)\/(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) throw new UsageError(`--flow must look like FROM=>TO:tcp/PORT or FROM=>TO:udp/PORT-PORT, got '${spec}'.`);
  const [, from, to, protocol, p0, p1] = m;
  const fromPort = Number(p0);
  const toPort = Number(p1 ?? p0);
  if (fromPort > 65535 || toPort > 65535 || fromPort > toPort) throw new UsageError(`--flow ports must be 0-65535, lowest first, got '${spec}'.`);
  const internet = (s: string) => (s === 'internet' ? ['0.0.0.0/0'] : s.startsWith('internet/') ? [s.slice('internet/'.length)] : undefined);
  if (internet(from) && internet(to)) throw new UsageError(`--flow: one end must be a construct path, got '${spec}'.`);
  return {
    description: spec,
    from,
    to,
    fromPath: internet(from) ? undefined : from,
    toPath: internet(to) ? undefined : to,
    fromTier: internet(from) ? undefined : 'workload',
    toTier: internet(to) ? undefined : 'workload',
    internetCidrs: internet(from) ?? internet(to),
    protocol,
    fromPort,
    toPort,
  };
}

/** Reads templates: every stack of a cloud assembly directory (its manifest), or template files. */
export function readTemplates(inputs: string[]): { [stack: string]: unknown } {
  const templates: { [stack: string]: unknown } = {};
  const add = (name: string, file: string) => {
    let key = name;
    for (let i = 2; key in templates; i++) key = `${name}-${i}`;
    templates[key] = JSON.parse(fs.readFileSync(file, 'utf8'));
  };
  for (const input of inputs) {
    if (!fs.existsSync(input)) throw new UsageError(`'${input}' does not exist. Give a cdk.out directory (run cdk synth first) or a template file.`);
    if (fs.statSync(input).isDirectory()) {
      const manifestFile = path.join(input, 'manifest.json');
      const files: Array<[string, string]> = [];
      if (fs.existsSync(manifestFile)) {
        const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
        for (const [id, art] of Object.entries<any>(manifest.artifacts ?? {})) {
          if (art.type === 'aws:cloudformation:stack' && art.properties?.templateFile) files.push([id, path.join(input, art.properties.templateFile)]);
        }
      } else {
        for (const f of fs.readdirSync(input).sort()) if (f.endsWith('.template.json')) files.push([f.replace(/\.template\.json$/, ''), path.join(input, f)]);
      }
      if (files.length === 0) throw new UsageError(`'${input}' holds no stack templates (no stack in manifest.json, no *.template.json).`);
      for (const [id, f] of files) add(id, f);
    } else {
      add(path.basename(input).replace(/\.template\.json$|\.json$/, ''), input);
    }
  }
  return templates;
}

/** Why this host can't run the emulation, or undefined. */
export function environmentProblem(): string | undefined {
  if (process.platform !== 'linux') return `it needs Linux network namespaces, and this is ${process.platform}.`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'it needs root: it creates network namespaces, interfaces and nftables rules. Run it with sudo ' +
      '(e.g. sudo npx cdk-network-patterns emulate cdk.out).';
  }
  for (const [cmd, pkg] of [['ip', 'iproute2'], ['nft', 'nftables']]) {
    const r = spawnSync(cmd, ['-V'], { stdio: 'ignore' });
    if (r.error) return `the '${cmd}' command is missing. Install it with: apt-get install -y ${pkg} (Debian/Ubuntu; it needs iproute2, nftables and python3).`;
  }
  // The socket agent: Python 3 (its ctypes reaches setns(2) and libnftables, which nftables installs).
  const python = pythonCommand();
  const r = spawnSync(python, ['-c', AGENT_CHECK], { encoding: 'utf8' });
  if (r.error) return `'${python}' is missing: the emulation's socket agent runs on Python 3. Install it with: apt-get install -y python3 (Debian/Ubuntu).`;
  if (r.status !== 0) return `the emulation's socket agent cannot run on '${python}': ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
  return undefined;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** The results as a Markdown table, then the closing line. */
export function renderTable(report: EmulationReport): string {
  const lines = ['| result | kind | from | to | port | analyzer | packets | what the packets met |', '| --- | --- | --- | --- | --- | --- | --- | --- |'];
  for (const p of report.probes) {
    if (p.kind === 'undeclared' && p.ok && p.packets !== 'pass') continue;
    lines.push(`| ${resultText(p)} | ${p.kind} | ${cell(p.from)} | ${cell(p.to)} | ${p.port} | ${p.analyzer}${p.analyzerPartial ? ' (partly open)' : ''} | ` +
      `${p.packets} (${p.passedLegs}/${p.legs}) | ${cell([...p.details.slice(0, 6), ...(p.details.length > 6 ? [`... ${p.details.length - 6} more`] : []), ...(p.note ? [p.note] : [])].join('; '))} |`);
  }
  const hidden = report.probes.filter((p) => p.kind === 'undeclared' && p.ok && p.packets !== 'pass').length;
  if (hidden > 0) lines.push('', `${hidden} undeclared probes: blocked by the packets, as the analyzer says (not listed).`);
  for (const s of report.skipped) lines.push(`- not emulated: ${s}`);
  lines.push('', `${report.namespaces} namespaces built in ${report.buildSeconds.toFixed(1)} s, probed in ${report.probeSeconds.toFixed(1)} s.`);
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join('\n');
}

function resultText(p: ProbeResult): string {
  if (p.packets === 'not run') return 'not run';
  if (p.ok) return 'ok';
  return p.agree ? 'FAILED' : 'FAILED (analyzer disagrees)';
}

export async function run(argv: string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cdk-network-patterns emulate: ${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  let templates;
  try {
    templates = readTemplates(args.inputs);
    checkSomethingToProve(templates, args.flows);
  } catch (e) {
    if (!(e instanceof UsageError) && !(e instanceof NothingToProveError) && !(e instanceof SyntaxError)) throw e;
    console.error(`cdk-network-patterns emulate: ${(e as Error).message}`);
    return 2;
  }
  const problem = environmentProblem();
  if (problem) {
    console.error(`cdk-network-patterns emulate: ${problem}`);
    return 2;
  }
  const toStdout = args.json === '-';
  let report: EmulationReport;
  try {
    report = await emulate(templates, {
      timeoutMs: args.timeout,
      undeclared: args.undeclared,
      flows: args.flows,
      log: toStdout ? undefined : (l) => console.log(l),
    });
  } catch (e) {
    if (!(e instanceof NothingToProveError)) throw e;
    console.error(`cdk-network-patterns emulate: ${e.message}`);
    return 2;
  }
  if (args.json) {
    const text = JSON.stringify(report, null, 2) + '\n';
    if (toStdout) process.stdout.write(text);
    else fs.writeFileSync(args.json, text);
  }
  if (!toStdout) console.log(renderTable(report));
  return report.failed > 0 ? 1 : 0;
}
