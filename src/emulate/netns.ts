/**
 * Applies an `EmulationPlan` to this Linux host: creates the namespaces (every one named with
 * the plan's `cnpe` prefix), their interfaces, routes and nftables rule sets, starts a socket
 * agent in each namespace that probes, and deletes exactly those namespaces again on `destroy()`,
 * on process exit, on SIGINT/SIGTERM/SIGHUP and on an uncaught error.
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

/** A socket agent in one namespace. */
export class Agent {
  private seq = 0;
  private readonly waiting = new Map<number, (r: AgentReply) => void>();

  constructor(public readonly ns: string, private readonly proc: ChildProcess) {
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      const r = JSON.parse(line) as AgentReply;
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      w?.(r);
    });
    proc.on('exit', () => {
      for (const w of this.waiting.values()) w({ id: -1, ok: false, err: `the agent in ${ns} exited` });
      this.waiting.clear();
    });
  }

  /** Sends a command and waits for its answer. */
  public send(cmd: { [key: string]: unknown }): Promise<AgentReply> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.stdin!.write(JSON.stringify({ ...cmd, id }) + '\n');
    });
  }

  public stop(): void {
    this.proc.stdin!.end();
    this.proc.kill('SIGKILL');
    agentsAlive.delete(this.proc);
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
      // The agents start while the namespaces are configured (they listen only when asked, later).
      for (const ns of agentNamespaces) {
        const proc = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', AGENT_SOURCE], { stdio: ['pipe', 'pipe', 'inherit'] });
        agentsAlive.add(proc);
        emu.agents.set(ns, new Agent(ns, proc));
      }
      const apply = async (ns: NamespacePlan) => {
        if (ns.ip.length > 0) await run('ip', ['-n', ns.name, '-batch', '-'], ns.ip.join('\n') + '\n');
      };
      // New namespaces copy the host's interface settings when net.core.devconf_inherit_init_net is set.
      const inherits = readSysctl('net/core/devconf_inherit_init_net') !== '0';
      const configure = async (ns: NamespacePlan) => {
        const sysctl = ns.sysctl.length === 0 && inherits ? ENI_SYSCTL : ns.sysctl;
        if (sysctl.length > 0) await run('ip', ['netns', 'exec', ns.name, 'sysctl', '-q', '-e', '-w', ...sysctl], '');
        if (ns.nft) await run('ip', ['netns', 'exec', ns.name, 'nft', '-f', '-'], ns.nft);
      };
      // Routers first: they create the veth pairs whose other ends the other namespaces configure.
      await inParallel(plan.namespaces.filter((n) => n.role === 'router'), 4, apply);
      await inParallel(plan.namespaces.filter((n) => n.role !== 'router'), 4, apply);
      await inParallel(plan.namespaces, 4, configure);
    } catch (e) {
      emu.destroy();
      throw e;
    }
    return emu;
  }

  public readonly agents = new Map<string, Agent>();

  private constructor(public readonly plan: EmulationPlan) {}

  /** Runs `nft -f -` in one of the emulation's namespaces. */
  public async nft(ns: string, rules: string): Promise<void> {
    if (!live.has(ns)) throw new Error(`namespace ${ns} is not part of this emulation`);
    await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], rules);
  }

  /** Stops the agents and deletes every namespace of the emulation. */
  public destroy(): void {
    for (const a of this.agents.values()) a.stop();
    this.agents.clear();
    const names = this.plan.namespaces.map((n) => n.name).filter((n) => live.has(n));
    if (names.length === 0) return;
    spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((n) => `netns del ${n}`).join('\n') + '\n', stdio: ['pipe', 'ignore', 'ignore'] });
    for (const n of names) live.delete(n);
  }
}
