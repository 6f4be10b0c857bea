/**
 * The emulation's socket agent (root only: `npx projen test:emulate`): one process that opens
 * sockets, writes kernel settings and loads nftables rules in whichever namespace a command names.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { AgentProcess } from '../../src/emulate/netns';

if (process.getuid?.() !== 0) {
  throw new Error('The emulation tests need root (they create network namespaces): run them with sudo, e.g. sudo npx projen test:emulate.');
}

jest.setTimeout(60_000);

const A = 'cnpeta-a';
const B = 'cnpeta-b';
let agent: AgentProcess;

function ip(...args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  for (const ns of [A, B]) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  agent = new AgentProcess();
});

afterAll(() => {
  agent?.stop();
  for (const ns of [A, B]) spawnSync('ip', ['netns', 'del', ns]);
});

test('a socket is opened in the namespace the command names, and only there', async () => {
  await expect(agent.send(A, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7000 })).resolves.toMatchObject({ ok: true });
  await expect(agent.send(A, { op: 'listen', proto: 'udp', addr: '127.0.0.1', port: 7001 })).resolves.toMatchObject({ ok: true });
  const connect = (ns: string, proto: string, port: number, lport: number) =>
    agent.send(ns, { op: 'connect', proto, host: '127.0.0.1', port, laddr: '127.0.0.1', lport, timeout: 500 });
  // The server's byte, then its close.
  await expect(connect(A, 'tcp', 7000, 40000)).resolves.toMatchObject({ ok: true });
  await expect(connect(A, 'udp', 7001, 40001)).resolves.toMatchObject({ ok: true });
  // B has a loopback of its own, where nothing listens.
  await expect(connect(B, 'tcp', 7000, 40000)).resolves.toMatchObject({ ok: false, err: 'ECONNREFUSED' });
  await expect(connect(B, 'udp', 7001, 40001)).resolves.toMatchObject({ ok: false, err: 'timeout' });
  // The same port again in A is taken; in B it is free.
  await expect(agent.send(A, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7000 })).resolves.toMatchObject({ ok: false, err: 'EADDRINUSE' });
  await expect(agent.send(B, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7000 })).resolves.toMatchObject({ ok: true });
});

test('a relay answers its client only once its own connection to the target got the byte', async () => {
  await agent.send(B, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7100 });
  await agent.send(B, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7101 });
  const connect = (lport: number) => agent.send(B, { op: 'connect', proto: 'tcp', host: '127.0.0.1', port: 7100, laddr: '127.0.0.1', lport, timeout: 500 });
  await agent.send(B, { op: 'relay', port: 7100, host: '127.0.0.1', tport: 7101, laddr: '127.0.0.1', timeout: 400 });
  await expect(connect(41000)).resolves.toMatchObject({ ok: true });
  // A target where nothing listens: the client is closed without its byte.
  await agent.send(B, { op: 'relay', port: 7100, host: '127.0.0.1', tport: 7199, laddr: '127.0.0.1', timeout: 400 });
  await expect(connect(41001)).resolves.toMatchObject({ ok: false, err: 'closed' });
  await agent.send(B, { op: 'relay', port: 7100 });
  await expect(connect(41002)).resolves.toMatchObject({ ok: true });
});

test('kernel settings and nftables rules land in the namespace named, not on the host', async () => {
  const hostForwarding = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
  const r = await agent.send(A, {
    op: 'setup',
    // A key this kernel doesn't have is skipped, as `sysctl -e` does.
    sysctl: [hostForwarding === '1' ? 'net.ipv4.ip_forward=0' : 'net.ipv4.ip_forward=1', 'net.ipv4.no_such_setting=1'],
    nft: 'table ip cnpetest {\n  chain out {\n    type filter hook output priority 0; policy accept;\n    udp dport 7300 drop\n  }\n}\n',
  });
  expect(r).toMatchObject({ ok: true });
  const forwarding = spawnSync('ip', ['netns', 'exec', A, 'cat', '/proc/sys/net/ipv4/ip_forward'], { encoding: 'utf8' }).stdout.trim();
  expect(forwarding).not.toBe(hostForwarding);
  expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe(hostForwarding);
  expect(spawnSync('ip', ['netns', 'exec', A, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout).toContain('cnpetest');
  expect(spawnSync('ip', ['netns', 'exec', B, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout).not.toContain('cnpetest');
  // A datagram the namespace's own output rule drops is not sent at all.
  await agent.send(A, { op: 'listen', proto: 'udp', addr: '127.0.0.1', port: 7300 });
  await expect(agent.send(A, { op: 'connect', proto: 'udp', host: '127.0.0.1', port: 7300, laddr: '127.0.0.1', lport: 42000, timeout: 500 }))
    .resolves.toMatchObject({ ok: false, err: 'EPERM' });
});

test('a rule set nft refuses is an error that quotes nft', async () => {
  const r = await agent.send(B, { op: 'setup', nft: 'table ip broken {\n  chain c {\n    no such statement\n  }\n}\n' });
  expect(r.ok).toBe(false);
  expect(r.err).toMatch(/^nft: .*[Ee]rror/s);
});

test('a dead agent fails every command, pending or new, instead of answering "blocked"', async () => {
  const other = new AgentProcess();
  await expect(other.send(A, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7400 })).resolves.toMatchObject({ ok: true });
  // A namespace that doesn't exist kills nothing: the command fails, the agent goes on.
  await expect(other.send('cnpeta-none', { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7401 })).resolves.toMatchObject({ ok: false, err: 'ENOENT' });
  // A datagram nobody answers: the command waits for its 5 s timeout while the agent dies.
  const pending = other.send(A, { op: 'connect', proto: 'udp', host: '127.0.0.1', port: 7402, laddr: '127.0.0.1', lport: 43000, timeout: 5000 });
  process.kill(other.pid!, 'SIGKILL');
  await expect(pending).rejects.toThrow(/the socket agent exited/);
  await expect(other.send(A, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7403 })).rejects.toThrow(/exited/);
  other.stop();
  await expect(other.send(A, { op: 'listen', proto: 'tcp', addr: '127.0.0.1', port: 7404 })).rejects.toThrow(/exited/);
});
