/**
 * Applies an `EmulationPlan` to this Linux host: creates the namespaces (every one named with
 * the plan's `cnpe` prefix) and their interfaces and routes with `ip`, then hands the rest to one
 * socket agent process for the whole emulation (see agent.ts): it writes each namespace's kernel
 * settings and loads its nftables rule set from inside the namespace, and opens every probe's
 * sockets there. Deletes exactly those namespaces again on `destroy()`, on process exit, on
 * SIGINT/SIGTERM/SIGHUP and on an uncaught error.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as readline from 'readline';
import { AGENT_SOURCE } from './agent';
import { ENI_SYSCTL, EmulationPlan, NamespacePlan } from './plan';

/** Namespaces created and not yet deleted, across every live emulation of this process. */
const live = new Set<string>();
const agentsAlive = new Set<ChildProcess>();
let hooked = false;

function cleanupSync(): void {
  for (const a of agentsAlive) {
    try {
      a.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  agentsAlive.clear();
  if (live.size === 0) return;
  spawnSync('ip', ['-force', '-batch', '-'], { input: [...live].map((n) => `netns del ${n}`).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
  live.clear();
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', cleanupSync);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      cleanupSync();
      process.exit(code);
    });
  }
}

function readSysctl(key: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/sys/${key}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs a command, feeding `input`; rejects with its stderr when it fails. */
function run(cmd: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}): ${err.trim()}\n--- input ---\n${input}`))));
    // A command that reads no input may exit before taking it.
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

async function inParallel<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  });
  await Promise.all(workers);
}

/**
 * The Python 3 interpreter that runs the agent: the system's own first (a version manager's shim,
 * such as pyenv's, costs most of a second of CPU at each start), else `python3` on the PATH.
 */
export function pythonCommand(): string {
  return ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p)) ?? 'python3';
}

/**
 * The one agent process of an emulation, which opens sockets in any of its namespaces. When it
 * exits before `stop()`, or when a command is sent after, the command's promise rejects: a dead
 * agent must fail the emulation, never pass for a firewall that blocks everything.
 */
export class AgentProcess {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: AgentReply) => void; reject: (e: Error) => void }>();
  private readonly proc: ChildProcess;
  private exited?: string;

  constructor() {
    this.proc = spawn(pythonCommand(), ['-c', AGENT_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
    agentsAlive.add(this.proc);
    this.proc.on('error', (e) => this.fail(`the socket agent could not start: ${e.message}`));
    this.proc.on('exit', (code, signal) => this.fail(`the socket agent exited (${signal ?? `exit code ${code}`})`));
    this.proc.stdin!.on('error', () => undefined);
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      let r: AgentReply;
      try {
        r = JSON.parse(line) as AgentReply;
      } catch {
        // Not an answer: the agent is broken, and no answer of it can be trusted any more.
        this.fail(`the socket agent wrote a line that is not an answer: ${line.slice(0, 200)}`);
        return;
      }
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      w?.resolve(r);
    });
  }

  /** The agent's process id. */
  public get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Sends a command for namespace `ns` and waits for its answer. */
  public send(ns: string, cmd: { [key: string]: unknown }): Promise<AgentReply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.proc.stdin!.write(JSON.stringify({ ...cmd, ns, id }) + '\n');
    });
  }

  public stop(): void {
    this.exited = this.exited ?? 'the socket agent was stopped';
    this.proc.stdin!.end();
    this.proc.kill('SIGKILL');
    agentsAlive.delete(this.proc);
  }

  private fail(why: string): void {
    this.exited = this.exited ?? why;
    for (const w of this.waiting.values()) w.reject(new Error(this.exited));
    this.waiting.clear();
  }
}

/** The agent's sockets in one namespace. */
export class Agent {
  constructor(public readonly ns: string, private readonly proc: AgentProcess) {}

  /** Sends a command and waits for its answer. */
  public send(cmd: { [key: string]: unknown }): Promise<AgentReply> {
    return this.proc.send(this.ns, cmd);
  }
}

export interface AgentReply {
  readonly id: number;
  readonly ok: boolean;
  readonly err?: string;
  readonly ms?: number;
}

/** A built emulation: its namespaces exist until `destroy()`. */
export class Emulation {
  /** Builds `plan` on this host. Needs root, `ip` (iproute2) and `nft` (nftables). */
  public static async build(plan: EmulationPlan, agentNamespaces: string[]): Promise<Emulation> {
    hookExit();
    const names = plan.namespaces.map((n) => n.name);
    for (const n of names) {
      if (!n.startsWith('cnpe')) throw new Error(`namespace ${n} does not start with cnpe`);
    }
    for (const n of names) live.add(n);
    const emu = new Emulation(plan);
    try {
      await run('ip', ['-batch', '-'], names.map((n) => `netns add ${n}`).join('\n') + '\n');
      // The agent starts while the namespaces are configured (it opens sockets only when asked, later).
      emu.agent = new AgentProcess();
      for (const ns of agentNamespaces) emu.agents.set(ns, new Agent(ns, emu.agent));
      const apply = async (ns: NamespacePlan) => {
        if (ns.ip.length > 0) await run('ip', ['-n', ns.name, '-batch', '-'], ns.ip.join('\n') + '\n');
      };
      // New namespaces copy the host's interface settings when net.core.devconf_inherit_init_net is set.
      const inherits = readSysctl('net/core/devconf_inherit_init_net') !== '0';
      // Kernel settings and nftables rule sets, from inside each namespace, by the agent (no process each).
      const configure = async (ns: NamespacePlan) => {
        const sysctl = ns.sysctl.length === 0 && inherits ? ENI_SYSCTL : ns.sysctl;
        if (sysctl.length === 0 && !ns.nft) return;
        const r = await emu.agent!.send(ns.name, { op: 'setup', sysctl, nft: ns.nft ?? '' });
        if (!r.ok) throw new Error(`configuring namespace ${ns.name} failed: ${r.err}\n--- nft ---\n${ns.nft ?? ''}`);
      };
      // Routers first: they create the veth pairs whose other ends the other namespaces configure.
      await inParallel(plan.namespaces.filter((n) => n.role === 'router'), 4, apply);
      await inParallel(plan.namespaces.filter((n) => n.role !== 'router'), 4, apply);
      await Promise.all(plan.namespaces.map(configure));
    } catch (e) {
      emu.destroy();
      throw e;
    }
    return emu;
  }

  public readonly agents = new Map<string, Agent>();
  private agent?: AgentProcess;

  private constructor(public readonly plan: EmulationPlan) {}

  /** Loads nftables rules (the syntax of `nft -f`) in one of the emulation's namespaces. */
  public async nft(ns: string, rules: string): Promise<void> {
    if (!live.has(ns) || !this.plan.namespaces.some((n) => n.name === ns)) throw new Error(`namespace ${ns} is not part of this emulation`);
    const r = await this.agent!.send(ns, { op: 'setup', nft: rules });
    if (!r.ok) throw new Error(`nft in ${ns} failed: ${r.err}\n--- input ---\n${rules}`);
  }

  /** Stops the agent and deletes every namespace of the emulation. */
  public destroy(): void {
    this.agent?.stop();
    this.agent = undefined;
    this.agents.clear();
    const names = this.plan.namespaces.map((n) => n.name).filter((n) => live.has(n));
    if (names.length === 0) return;
    spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}`).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
    for (const n of names) live.delete(n);
  }
}
