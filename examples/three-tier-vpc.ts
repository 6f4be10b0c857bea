/**
 * Scenario: the foundation every other example stands on — a three-tier VPC (public / app /
 * data subnets in three AZs, a NAT gateway per AZ, encrypted flow logs, the default security
 * group stripped, S3 and DynamoDB gateway endpoints, Session Manager endpoints) and its NACL
 * plan for the classic web flows, declared once per tier:
 *
 *   internet --443--> public tier --8080--> app tier --5432--> data tier
 *   app tier --443--> internet (through the NAT gateway in its own AZ)
 *
 * Tier flows open the tiers' NACLs only (both directions, with the whole ephemeral return range);
 * the workloads you place in the tiers still need their security group rules, which workload
 * flows (`FlowEndpoint.workload`) add as security group references: see three-tier-web-app.
 *
 * Practices: NACLs are stateless, so say it both ways: every NACL entry that admits a request has
 * its entry for the reply on the client's ephemeral ports
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html). One CIDR block per
 * tier, so that a NACL entry can name a whole tier
 * (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). One NAT gateway per AZ,
 * each AZ routing to its own: a NAT gateway is redundant only inside its AZ
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html). No SSH: Session Manager
 * opens a shell with no inbound port, here through interface endpoints
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html).
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/three-tier-vpc.ts"
 * Deploy (us-east-1):
 *   npx cdk bootstrap && npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/three-tier-vpc.ts"
 */
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EphemeralRange, FlowEndpoint, Tier, TieredVpc, WellKnownPorts } from '../src';

export class ThreeTierVpcStack extends Stack {
  public readonly network: TieredVpc;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    this.network = new TieredVpc(this, 'Network', {
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      sessionManagerEndpoints: true,
    });

    const net = this.network;
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.tier(Tier.PUBLIC), WellKnownPorts.HTTPS,
      { description: 'clients -> load balancers (HTTPS)' });
    net.addFlow(FlowEndpoint.tier(Tier.PUBLIC, { ephemeralRange: EphemeralRange.ELB }), FlowEndpoint.tier(Tier.APP), WellKnownPorts.HTTP_ALT,
      { description: 'load balancers -> app' });
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.tier(Tier.DATA), WellKnownPorts.POSTGRES,
      { description: 'app -> database' });
    net.addFlow(FlowEndpoint.tier(Tier.APP), FlowEndpoint.internet(), WellKnownPorts.HTTPS,
      { description: 'app -> internet (AWS APIs, package mirrors) via NAT' });
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new ThreeTierVpcStack(app, 'ThreeTierVpc', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
