/**
 * Scenario: the foundation every other example stands on — a three-tier VPC (public / app /
 * data subnets in three AZs, a NAT gateway per AZ, flow logs, the default security group
 * stripped, S3 and DynamoDB gateway endpoints, Session Manager endpoints) with the classic web
 * flows declared once and compiled into security groups and NACLs:
 *
 *   internet --443--> load balancer (public) --8080--> app (app tier) --5432--> database (data tier)
 *   app --443--> internet (through the NAT gateway in its own AZ)
 *
 * Seed practices: "Stateless = Say Both Ways" (seed 000 section 9: every NACL entry has its
 * ephemeral return entry); security groups referencing security groups for tiers (seed 004);
 * NAT gateway per AZ (seed 004); no SSH, Session Manager instead (seed 000 section 9).
 *
 * The security groups stand for the workloads you place in each tier (an ALB, a service, a
 * database): attach them to your resources, or see the other examples for complete workloads.
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/three-tier-vpc.ts"
 * Deploy (us-east-1):
 *   npx cdk bootstrap && npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/three-tier-vpc.ts"
 */
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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
    const vpc = this.network.vpc;

    const loadBalancer = new ec2.SecurityGroup(this, 'LoadBalancerSg', {
      vpc, allowAllOutbound: false, description: 'Internet-facing load balancer (public tier)',
    });
    Validations.of(loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The internet-facing load balancer is the entry point: it admits 0.0.0.0/0 on 443 only, by design.',
    });
    const app = new ec2.SecurityGroup(this, 'AppSg', { vpc, allowAllOutbound: false, description: 'Application (app tier)' });
    const database = new ec2.SecurityGroup(this, 'DatabaseSg', { vpc, allowAllOutbound: false, description: 'Database (data tier)' });

    const net = this.network;
    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(loadBalancer, Tier.PUBLIC), WellKnownPorts.HTTPS,
      { description: 'clients -> load balancer (HTTPS)' });
    net.addFlow(FlowEndpoint.workload(loadBalancer, Tier.PUBLIC, { ephemeralRange: EphemeralRange.ELB }),
      FlowEndpoint.workload(app, Tier.APP), WellKnownPorts.HTTP_ALT, { description: 'load balancer -> app' });
    net.addFlow(FlowEndpoint.workload(app, Tier.APP), FlowEndpoint.workload(database, Tier.DATA), WellKnownPorts.POSTGRES, { description: 'app -> database' });
    net.addFlow(FlowEndpoint.workload(app, Tier.APP), FlowEndpoint.internet(), WellKnownPorts.HTTPS, { description: 'app -> internet (AWS APIs, package mirrors) via NAT' });
    net.allowInterfaceEndpoints(app, Tier.APP);
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new ThreeTierVpcStack(app, 'ThreeTierVpc', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
