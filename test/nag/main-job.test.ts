import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  EphemeralRange, FlowEndpoint, NatGatewayMode, NetworkPatternsChecks, NlbTarget, Tier, TieredNetworkLoadBalancer, TieredVpc, TieredVpcProps,
  WellKnownPorts,
} from '../../src';
import { tierGroup } from '../load-balancing/fixtures';
import { TEST_AZS } from '../util';

// The options a user chooses explicitly synthesize under the packs the main job registers as
// policy-validation plugins (`npm run examples`), without acknowledgments of the user's own.

function mainJobApp(): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'main-job-')) });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app), new NetworkPatternsChecks(app),
  );
  return app;
}

/** The findings of the validation report written by the last synth of `app`. */
function reportedFindings(app: App): string[] {
  const file = path.join(app.outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  return (report.pluginReports ?? []).flatMap((p: any) => (p.violations ?? []).map((v: any) => `${v.ruleName} ${v.severity}`));
}

function typicalNetwork(stack: Stack, props: TieredVpcProps) {
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS, ...props });
  const sg = (id: string) => new ec2.SecurityGroup(stack, id, { vpc: net.vpc, allowAllOutbound: false });
  const app = sg('App');
  const db = sg('Db');
  const appEnd = FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: EphemeralRange.ANY_CLIENT });
  net.addFlow(appEnd, FlowEndpoint.workload(db, { tier: Tier.DATA }), WellKnownPorts.POSTGRES);
  net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP }), FlowEndpoint.internet(), WellKnownPorts.HTTPS);
  return net;
}

describe('explicit options under the main job\'s packs', () => {
  test('NatGatewayMode.SINGLE synthesizes (its warning stays, the NAT rule does not fail it)', () => {
    const app = mainJobApp();
    typicalNetwork(new Stack(app, 'Test'), { natGatewayMode: NatGatewayMode.SINGLE });
    expect(() => app.synth()).not.toThrow();
    expect(reportedFindings(app).filter((f) => f.startsWith('NetworkPatterns-NAT1'))).toEqual([]);
  });

  test('a cross-AZ NAT route nobody chose still fails synthesis', () => {
    const app = mainJobApp();
    const net = typicalNetwork(new Stack(app, 'Test'), {});
    const nat1 = net.vpc.publicSubnets[0].node.findChild('NATGateway') as ec2.CfnNatGateway;
    const other = net.vpc.privateSubnets[1] as ec2.Subnet;
    other.node.tryRemoveChild('DefaultRoute');
    new ec2.CfnRoute(other, 'CrossAz', { routeTableId: other.routeTable.routeTableId, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat1.ref });
    expect(() => app.synth()).toThrow(/NetworkPatterns-NAT1/);
  });

  test('3 NAT gateways and 3 static NLB addresses: the Elastic IP quota is reported once, as a warning, and synthesis succeeds', () => {
    const app = mainJobApp();
    const stack = new Stack(app, 'Test');
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    nlb.addListener('Kafka', { port: 9092, targets: [NlbTarget.autoScalingGroup(tierGroup(stack, 'Servers', net))], targetsTerminateTls: true });
    expect(() => app.synth()).not.toThrow();
    expect(reportedFindings(app).filter((f) => f.includes('EIP'))).toEqual(['NetworkPatterns-EIP1 warning']);
  });
});
