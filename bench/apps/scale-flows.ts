/**
 * The scale benchmark's app: one TieredVpc over `azs` AZs with `services` services, each what
 * an ECS service adds to a VPC: its own security group in the app tier behind one shared load
 * balancer security group (public tier) on a shared container port, reaching a shared database
 * security group (data tier) on 5432 and the internet on 443 through the NAT gateways.
 *
 *   params: azs=2..6 (default 3), services=N (default 1)
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EphemeralRange, FlowEndpoint, Tier, TieredVpc, WellKnownPorts } from '../../src';

/** us-east-1 has six AZs. */
export const US_EAST_1_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];

/** Reads the `azs` and `services` params. */
export function scaleParams(params: { [key: string]: string } = {}): { azs: number; services: number } {
  const azs = Number(params.azs ?? 3);
  const services = Number(params.services ?? 1);
  if (!Number.isInteger(azs) || azs < 2 || azs > US_EAST_1_AZS.length) throw new Error(`azs must be 2-6, got ${params.azs}`);
  if (!Number.isInteger(services) || services < 1) throw new Error(`services must be a positive integer, got ${params.services}`);
  return { azs, services };
}

/** Builds the scale stack into `app`. */
export function build(app: App, params: { [key: string]: string } = {}): Stack[] {
  const { azs, services } = scaleParams(params);
  const stack = new Stack(app, `ScaleFlows${azs}Az${services}Svc`, { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
  const net = new TieredVpc(stack, 'Network', { availabilityZones: US_EAST_1_AZS.slice(0, azs) });
  const vpc = net.vpc;

  const loadBalancer = new ec2.SecurityGroup(stack, 'LoadBalancerSg', { vpc, allowAllOutbound: false, description: 'Shared load balancer' });
  Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'The internet-facing load balancer admits 0.0.0.0/0 on 443 only, by design.' });
  const database = new ec2.SecurityGroup(stack, 'DatabaseSg', { vpc, allowAllOutbound: false, description: 'Shared database' });
  net.addFlow(FlowEndpoint.internet(), FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC }), WellKnownPorts.HTTPS);

  for (let i = 1; i <= services; i++) {
    const service = new ec2.SecurityGroup(stack, `Service${i}Sg`, { vpc, allowAllOutbound: false, description: `Service ${i}` });
    const svc = FlowEndpoint.workload(service, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX });
    net.addFlow(FlowEndpoint.workload(loadBalancer, { tier: Tier.PUBLIC, ephemeralRange: EphemeralRange.ELB }),
      FlowEndpoint.workload(service, { tier: Tier.APP }), WellKnownPorts.HTTP_ALT, { description: `load balancer -> service ${i}` });
    net.addFlow(svc, FlowEndpoint.workload(database, { tier: Tier.DATA }), WellKnownPorts.POSTGRES, { description: `service ${i} -> database` });
    net.addFlow(svc, FlowEndpoint.internet(), WellKnownPorts.HTTPS, { description: `service ${i} -> internet via NAT` });
  }
  return [stack];
}
