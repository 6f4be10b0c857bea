/* eslint-disable @typescript-eslint/no-explicit-any */
import '@microsoft/jest-sarif';
import { App } from 'aws-cdk-lib';
import { tmpDir, write } from './templates';
import * as collaborativeEditor from '../../examples/collaborative-editor';
import * as dnsFailover from '../../examples/dns-failover';
import * as dualStackWebApp from '../../examples/dual-stack-web-app';
import * as ecsDynamicPorts from '../../examples/ecs-dynamic-ports';
import * as kafkaNlb from '../../examples/kafka-nlb';
import * as lambdaRdsProxy from '../../examples/lambda-rds-proxy';
import * as threeTierVpc from '../../examples/three-tier-vpc';
import * as threeTierWebApp from '../../examples/three-tier-web-app';
import { run } from '../../src/cli/check';

const assemblies = new Map<unknown, string>();
/** Synthesizes an example app into a cloud assembly directory (no asset bundling), once per example for the whole file. */
function synth(example: { build(app: App): unknown }): string {
  let outdir = assemblies.get(example);
  if (!outdir) {
    outdir = tmpDir();
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    example.build(app);
    app.synth();
    assemblies.set(example, outdir);
  }
  return outdir;
}

async function check(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const w = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
    out += String(s);
    return true;
  });
  try {
    return { code: await run(args), out };
  } finally {
    w.mockRestore();
  }
}

// What each example lets the internet reach (some address of it), exactly, and nothing else: each example's header says so.
// The Kafka example's partner NLB admits only the partners' CIDRs, which are part of the internet.
const EXAMPLES: Array<[string, { build(app: App): unknown }, Array<{ node: string; ports: string[] }>]> = [
  ['collaborative-editor', collaborativeEditor, [{ node: 'CollaborativeEditor/Nlb/Resource', ports: ['tcp 443'] }]],
  ['dns-failover', dnsFailover, [{ node: 'DnsFailoverWest/Alb', ports: ['tcp 443'] }, { node: 'DnsFailoverEast/Alb', ports: ['tcp 443'] }]],
  ['dual-stack-web-app', dualStackWebApp, [{ node: 'DualStackWebApp/Web/LoadBalancer', ports: ['tcp 80', 'tcp 443', 'tcp 80 (IPv6)', 'tcp 443 (IPv6)'] }]],
  ['ecs-dynamic-ports', ecsDynamicPorts, [{ node: 'EcsDynamicPorts/Web/LoadBalancer', ports: ['tcp 80'] }]],
  ['kafka-nlb', kafkaNlb, [{ node: 'KafkaNlb/PartnerNlb/Resource', ports: ['tcp 9092'] }]],
  ['lambda-rds-proxy', lambdaRdsProxy, []],
  ['three-tier-vpc', threeTierVpc, []],
  ['three-tier-web-app', threeTierWebApp, [{ node: 'ThreeTierWebApp/Web/LoadBalancer', ports: ['tcp 80', 'tcp 443'] }]],
];

describe.each(EXAMPLES)('the %s example', (_name, example, exposure) => {
  const outdir = synth(example);

  test('checks clean (exit code 0, no error) and the internet reaches only its entry points', async () => {
    const { code, out } = await check(outdir, '--format', 'json');
    const report = JSON.parse(out);
    expect(code).toBe(0);
    expect(report.findings.filter((f: any) => f.level === 'error')).toEqual([]);
    expect(report.vpcs.flatMap((v: any) => v.exposure.map((e: any) => ({ node: e.node, ports: e.ports })))).toEqual(exposure);
    // No port range the internet opens, certain or not, covers SSH 22 or RDP 3389.
    const fromInternet = report.vpcs.flatMap((v: any) => v.openings.filter((o: any) => o.from === 'internet').flatMap((o: any) => [...o.ports, ...o.maybe]));
    expect(fromInternet.length).toBe(exposure.reduce((n, e) => n + e.ports.length, 0));
    for (const range of fromInternet) {
      const [, p0, p1] = /^(?:tcp|udp) (\d+)(?:-(\d+))?/.exec(range)!;
      for (const admin of [22, 3389]) expect(admin >= Number(p0) && admin <= Number(p1 ?? p0)).toBe(false);
    }
  });

  test('its SARIF report is valid SARIF 2.1.0', async () => {
    const { out } = await check(outdir, '--format', 'sarif');
    expect(JSON.parse(out)).toBeValidSarifLog();
  });
});

describe('the collaborative editor example with its flows as expectations', () => {
  const outdir = synth(collaborativeEditor);
  const flows = [
    { from: 'internet', to: 'CollaborativeEditor/Nlb', port: 443 },
    { from: 'CollaborativeEditor/Nlb', to: 'CollaborativeEditor/Servers', port: 443 },
    { from: 'CollaborativeEditor/Servers', to: 'CollaborativeEditor/Redis', port: 6379 },
    { from: 'CollaborativeEditor/Servers', to: 'internet', port: 443 },
  ];

  test('every flow is reachable; the one opening left is the servers reaching their own public NLB through the NAT gateway', async () => {
    const dir = tmpDir();
    const { code, out } = await check(outdir, '--format', 'json', '--expect', write(dir, 'flows.json', flows));
    const report = JSON.parse(out);
    expect(report.expected.map((e: any) => e.verdict)).toEqual(['reachable', 'reachable', 'reachable', 'reachable']);
    // The servers' 443 egress to the internet reaches the NLB's public addresses too: an opening to declare.
    expect(report.undeclared).toEqual([expect.objectContaining({ from: 'CollaborativeEditor/Servers/Service', to: 'CollaborativeEditor/Nlb/Resource', port: 'tcp 443' })]);
    expect(code).toBe(1);
  });

  test('declared too, nothing else is open: exit code 0', async () => {
    const dir = tmpDir();
    const all = [...flows, { from: 'CollaborativeEditor/Servers', to: 'CollaborativeEditor/Nlb', port: 443 }];
    const { code, out } = await check(outdir, '--format', 'json', '--expect', write(dir, 'flows.json', all));
    expect(JSON.parse(out).undeclared).toEqual([]);
    expect(code).toBe(0);
  });
});
