import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { Tier } from '../network/tier';
import { ITieredVpc } from '../network/tiered-vpc';

/**
 * A Network Load Balancer in a tier of a `TieredVpc`, as its listeners see it: where it sits,
 * whom it admits, and its connections (its security group). Implemented by `TieredNetworkLoadBalancer`.
 */
export interface ITieredNetworkLoadBalancer extends IConstruct, ec2.IConnectable {
  /** The tiered VPC the load balancer is in. */
  readonly network: ITieredVpc;
  /** The tier the load balancer sits in: public when internet-facing, app when internal. */
  readonly tier: Tier;
  /** Whether the load balancer faces the internet. */
  readonly internetFacing: boolean;
  /** The CIDR blocks its listeners admit unless a listener names its own. */
  readonly clientCidrs: string[];
}
