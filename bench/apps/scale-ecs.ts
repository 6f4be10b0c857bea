/**
 * The scale benchmark with real ECS services: one TieredVpc over `azs` AZs with `services`
 * EcsDynamicPortService constructs (each its own cluster, container instances and ALB, as the
 * construct builds them), each reaching a shared database security group on 5432.
 *
 *   params: azs=2..6 (default 3), services=N (default 1)
 *
 * About 25 resources per service (and about 130 for the VPC over 6 AZs): above 14 services the stack passes CloudFormation's
 * 500-resource limit, so bench/run.ts runs this app only up to that.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { scaleParams, US_EAST_1_AZS } from './scale-flows';
import { EcsDynamicPortService, EphemeralRange, FlowEndpoint, Tier, TieredVpc, WellKnownPorts } from '../../src';

/** Most services that keep the stack under CloudFormation's 500 resources. */
export const MAX_ECS_SERVICES = 14;

/** Builds the scale stack into `app`. */
export function build(app: App, params: { [key: string]: string } = {}): Stack[] {
  const { azs, services } = scaleParams(params);
  const stack = new Stack(app, `ScaleEcs${azs}Az${services}Svc`, { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } });
  const net = new TieredVpc(stack, 'Network', { availabilityZones: US_EAST_1_AZS.slice(0, azs) });
  const database = new ec2.SecurityGroup(stack, 'DatabaseSg', { vpc: net.vpc, allowAllOutbound: false, description: 'Shared database' });
  for (let i = 1; i <= services; i++) {
    const service = new EcsDynamicPortService(stack, `Service${i}`, {
      network: net,
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      containerPort: 8080,
    });
    net.addFlow(FlowEndpoint.workload(service, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }),
      FlowEndpoint.workload(database, { tier: Tier.DATA }), WellKnownPorts.POSTGRES, { description: `service ${i} -> database` });
  }
  return [stack];
}
