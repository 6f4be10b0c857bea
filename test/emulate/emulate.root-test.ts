/**
 * The emulation on small hand-made templates, with real sockets (root only: `npx projen test:emulate`).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { naclTrap, natPath, nlbClientIp, sgReferencing } from './hand-made';
import { run } from '../../src/cli/emulate';
import { emulate, EmulationReport, ProbeResult } from '../../src/emulate/emulator';

if (process.getuid?.() !== 0) {
  throw new Error('The emulation tests need root (they create network namespaces): run them with sudo, e.g. sudo npx projen test:emulate.');
}

jest.setTimeout(120_000);

function declared(report: EmulationReport, from: string, to: string): ProbeResult {
  const p = report.probes.find((x) => x.kind === 'declared' && x.from.startsWith(from) && x.to.startsWith(to));
  if (!p) throw new Error(`no declared probe ${from} -> ${to} in ${JSON.stringify(report.probes.map((x) => `${x.kind} ${x.from} -> ${x.to}`))}`);
  return p;
}

function ourNamespaces(prefix: string): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(`${prefix}-`));
}

test('the NACL trap: inbound 443 allowed, outbound ephemeral missing, so the handshake times out', async () => {
  const report = await emulate({ Trap: naclTrap([[100, 'out', 'tcp', 443, 443, '0.0.0.0/0']]) }, { prefix: 'cnpet1' });
  const p = declared(report, 'internet', 'Web');
  expect(p.packets).toBe('blocked');
  expect(p.analyzer).toBe('blocked');
  expect(p.agree).toBe(true);
  expect(p.ok).toBe(false);
  expect(p.details.join('\n')).toMatch(/blocked from every source port 1024-65535 \(no answer: the handshake timed out\)/);
  expect(report.failed).toBeGreaterThan(0);
  expect(ourNamespaces('cnpet1')).toEqual([]);
});

test('the NACL trap fixed: outbound 1024-65535 to the clients, and the handshake completes from every boundary port', async () => {
  const report = await emulate({ Fixed: naclTrap([[100, 'out', 'tcp', 1024, 65535, '0.0.0.0/0']]) }, { prefix: 'cnpet2' });
  const p = declared(report, 'internet', 'Web');
  expect(p).toMatchObject({ packets: 'pass', analyzer: 'reachable', agree: true, ok: true });
  // Both ends of the internet clients' range 1024-65535, from the web server's one subnet.
  expect(p.legs).toBe(2);
  expect(report.failed).toBe(0);
});

test('a partial ephemeral range: outbound 49152-65535 only, and the blocked source ports are named exactly', async () => {
  const report = await emulate({ Partial: naclTrap([[100, 'out', 'tcp', 49152, 65535, '0.0.0.0/0']]) }, { prefix: 'cnpet3' });
  const p = declared(report, 'internet', 'Web');
  expect(p.packets).toBe('partial');
  expect(p.analyzer).toBe('blocked');
  expect(p.agree).toBe(true);
  expect(p.details.join('\n')).toMatch(/blocked source ports 1024-49151 \(/);
  expect(p.details.join('\n')).not.toMatch(/49152/);
});

test('security group referencing: the referenced group gets in, another group of the VPC does not', async () => {
  const report = await emulate({ Ref: sgReferencing() }, { prefix: 'cnpet4' });
  expect(declared(report, 'App', 'Db')).toMatchObject({ packets: 'pass', analyzer: 'reachable', ok: true });
  const other = report.probes.find((x) => x.kind === 'undeclared' && x.from === 'Other' && x.to === 'Db' && x.port === 'tcp 5432');
  expect(other).toMatchObject({ analyzer: 'blocked', packets: 'blocked', agree: true, ok: true });
  expect(report.probes.filter((x) => !x.agree)).toEqual([]);
});

test('a NAT gateway path: through the NAT subnet\'s NACL both ways, on the NAT gateway\'s own source ports', async () => {
  const ok = await emulate({ Nat: natPath([[100, 'in', 'tcp', 443, 443, '10.0.0.0/16'], [110, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]) },
    { prefix: 'cnpet5' });
  expect(declared(ok, 'App', 'internet')).toMatchObject({ packets: 'pass', analyzer: 'reachable', ok: true });
  // The return traffic to the NAT gateway's translated ports 1024-32767 has no inbound allow.
  const narrow = await emulate({ Nat: natPath([[100, 'in', 'tcp', 443, 443, '10.0.0.0/16'], [110, 'in', 'tcp', 32768, 65535, '0.0.0.0/0']]) },
    { prefix: 'cnpet6' });
  const p = declared(narrow, 'App', 'internet');
  expect(p).toMatchObject({ packets: 'partial', analyzer: 'blocked', agree: true, ok: false });
  expect(p.details.join('\n')).toMatch(/translated source ports 1024-32767 blocked/);
});

test('a flow to the internet through a regional NAT gateway is reported as not emulated (unproven), not as blocked', async () => {
  const t = natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]);
  for (const id of ['NatA', 'NatB']) t.Resources[id].Properties = { AvailabilityMode: 'regional', VpcId: { Ref: 'Vpc' } };
  const report = await emulate({ Nat: t }, { prefix: 'cnpet9' });
  // A declared flow no packet carried proves nothing, so it still fails, with the reason instead of a verdict.
  expect(declared(report, 'App', 'internet')).toMatchObject({
    packets: 'not run', agree: true, ok: false, note: expect.stringMatching(/^not emulated: .*is a regional NAT gateway/),
  });
  expect(report.skipped).toContain('NAT gateway NatA: a regional NAT gateway (in no subnet) is not emulated; what its routes carry is reported as not emulated');
  // An undeclared opening through it (port 80 out, admitted by the security group) is not compared either.
  const t80 = natPath([[100, 'in', 'tcp', 1024, 65535, '0.0.0.0/0']]);
  for (const id of ['NatA', 'NatB']) t80.Resources[id].Properties = { AvailabilityMode: 'regional', VpcId: { Ref: 'Vpc' } };
  t80.Resources.AppSg.Properties.SecurityGroupEgress.push({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' });
  const wider = await emulate({ Nat: t80 }, { prefix: 'cnpeta' });
  expect(wider.probes.filter((p) => !p.agree)).toEqual([]);
  expect(wider.probes.find((p) => p.kind === 'undeclared' && p.from === 'App' && p.port === 'tcp 80')).toMatchObject({ packets: 'not run', ok: true });
});

test('NLB client IP preservation: the target sees the client\'s address, so its NACL must admit the clients', async () => {
  const admits = await emulate({ Nlb: nlbClientIp('203.0.113.0/24', '203.0.113.0/24') }, { prefix: 'cnpet7' });
  const e2e = admits.probes.find((x) => x.kind === 'end-to-end');
  expect(e2e).toMatchObject({ packets: 'pass', ok: true });
  expect(admits.failed).toBe(0);

  const refuses = await emulate({ Nlb: nlbClientIp('203.0.113.0/24', '192.0.2.0/24') }, { prefix: 'cnpet8' });
  // Each hop passes on its own (the NLB's subnets reach the target)...
  expect(declared(refuses, 'Nlb', 'Broker')).toMatchObject({ packets: 'pass', ok: true });
  // ...but end to end the target's NACL meets the client's address and drops it.
  const blocked = refuses.probes.find((x) => x.kind === 'end-to-end')!;
  expect(blocked.packets).toBe('blocked');
  expect(blocked.ok).toBe(false);
  expect(blocked.note).toMatch(/client IP preserved/);
});

test('the command: a table, JSON, the closing line, exit code 1 on a failure, and no namespace left behind', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-cli-'));
  const file = path.join(dir, 'Trap.template.json');
  fs.writeFileSync(file, JSON.stringify(naclTrap([[100, 'out', 'tcp', 443, 443, '0.0.0.0/0']])));
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((l: string) => { lines.push(String(l)); });
  let code: number;
  try {
    code = await run([dir, '--json', path.join(dir, 'out.json')]);
  } finally {
    spy.mockRestore();
  }
  expect(code).toBe(1);
  const text = lines.join('\n');
  expect(text).toMatch(/\| FAILED \| declared \| internet \| Web \| tcp 443 \| blocked \| blocked \(0\/2\) \|/);
  expect(text.trim().split('\n').pop()).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'out.json'), 'utf8'));
  expect(json.failed).toBeGreaterThan(0);
  expect(json.probes.find((p: ProbeResult) => p.kind === 'declared').packets).toBe('blocked');
  const left = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  expect(left).not.toMatch(new RegExp(`cnpe${process.pid.toString(36)}-`));
});

test('a signal during the run deletes every namespace the command created', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnpe-sig-'));
  fs.writeFileSync(path.join(dir, 'Ref.template.json'), JSON.stringify(sgReferencing()));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join('src', 'cli', 'main.ts'), 'emulate', dir],
    { env: { ...process.env, TS_NODE_PROJECT: path.join('test', 'tsconfig.json') }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `cnpe${child.pid!.toString(36)}`;
  // Wait until the namespaces exist, then interrupt.
  await new Promise<void>((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (ourNamespaces(prefix).length > 0) {
        clearInterval(poll);
        child.kill('SIGTERM');
        resolve();
      } else if (Date.now() - started > 60_000) {
        clearInterval(poll);
        reject(new Error('the command created no namespace within 60 s'));
      }
    }, 50);
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c: number | null, s: string | null) => resolve(c ?? (s ? 143 : -1))));
  expect(code).toBe(143);
  expect(ourNamespaces(prefix)).toEqual([]);
});
