import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { Tier } from '../network/tier';
import { TieredVpc } from '../network/tiered-vpc';

/**
 * A Network Load Balancer in a tier of a `TieredVpc`, as its listeners see it: where it sits,
 * whom it admits, and its security group. Implemented by `TieredNetworkLoadBalancer`.
 */
export interface ITieredNetworkLoadBalancer extends IConstruct, ec2.IConnectable {
  /** The underlying aws-cdk-lib load balancer. */
  readonly loadBalancer: elbv2.INetworkLoadBalancer;
  /** The load balancer's security group (every flow to and from it names this group). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The tiered VPC the load balancer is in. */
  readonly vpc: TieredVpc;
  /** The tier the load balancer sits in: public when internet-facing, app when internal. */
  readonly tier: Tier;
  /** Whether the load balancer faces the internet. */
  readonly internetFacing: boolean;
  /** The CIDR blocks its listeners admit unless a listener names its own. */
  readonly clientCidrs: string[];
}
