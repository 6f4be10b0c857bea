/**
 * The benchmark's three-tier VPC, written with the library (the security-group-chain version
 * of examples/three-tier-vpc.ts, kept here so the pair stays fixed while the example evolves):
 * a TieredVpc over three AZs (NAT per AZ, flow logs, gateway endpoints, Session Manager
 * endpoints) and the classic web flows, compiled into security groups and NACLs:
 *
 *   internet --443--> load balancer SG (public) --8080--> app SG (app) --5432--> database SG (data)
 *   app --443--> internet (through the NAT gateways); app --443--> the interface endpoints
 *
 * bench/apps/handwritten-three-tier-vpc.ts builds the same resources with plain aws-cdk-lib.
 */
import { App, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { EphemeralRange, FlowEndpoint, Tier, TieredVpc, WellKnownPorts } from '../../src';

export class LibraryThreeTierVpcStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    const net = new TieredVpc(this, 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], sessionManagerEndpoints: true });
    const vpc = net.vpc;

    const loadBalancer = new ec2.SecurityGroup(this, 'LoadBalancerSg', { vpc, allowAllOutbound: false, description: 'Internet-facing load balancer (public tier)' });
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'The internet-facing load balancer admits 0.0.0.0/0 on 443 only, by design.' });
    const app = new ec2.SecurityGroup(this, 'AppSg', { vpc, allowAllOutbound: false, description: 'Application (app tier)' });
    const database = new ec2.SecurityGroup(this, 'DatabaseSg', { vpc, allowAllOutbound: false, description: 'Database (data tier)' });

    net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS, { description: 'clients -> load balancer (HTTPS)' });
    net.addFlow(FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }),
      FlowEndpoint.workload(app, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT, { description: 'load balancer -> app' });
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }),
      FlowEndpoint.workload(database, { tier: Tier.DATA }), WellKnownPorts.POSTGRES, { description: 'app -> database' });
    net.addFlow(FlowEndpoint.workload(app, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }),
      FlowEndpoint.internet(), WellKnownPorts.HTTPS, { description: 'app -> internet via NAT' });
    net.allowInterfaceEndpoints(app, Tier.APP);
  }
}

/** Builds the stack into `app`. */
export function build(app: App): Stack[] {
  return [new LibraryThreeTierVpcStack(app, 'LibraryThreeTierVpc', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
