import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { WorkloadClient } from './clients';
import { FlowEndpoint } from '../../network/flow-endpoint';
import { FlowOptions } from '../../network/tiered-vpc';
import { propError } from '../../private/errors';
import { ITieredNetworkLoadBalancer } from '../i-tiered-network-load-balancer';

/** A listener as its load balancer keeps track of it. */
export interface RegisteredListener extends IConstruct {
  readonly port: number;
  readonly protocol: elbv2.Protocol;
}

/**
 * What a listener asks of its load balancer beyond the public interface: the narrow set of
 * internal members `TieredNetworkLoadBalancer` implements for its listeners, so that the listener
 * depends on this interface rather than on the concrete class.
 */
export interface NlbListenerHost extends ITieredNetworkLoadBalancer {
  /** The underlying aws-cdk-lib load balancer. */
  readonly loadBalancer: elbv2.INetworkLoadBalancer;
  /** The load balancer's security group. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Records the listener; refuses a second listener on the same port. */
  _registerListener(listener: RegisteredListener): void;
  /** The workloads admitted with `allowFrom` so far (later ones reach the listener through `_admitWorkloadClient`). */
  _workloadClients(): WorkloadClient[];
  /** Declares a flow on the load balancer's VPC. */
  _declare(from: FlowEndpoint, to: FlowEndpoint, port: ec2.Port, options: FlowOptions): void;
  /** Acknowledges, once, the compliance findings of listeners open to every address. */
  _acknowledgeOpenListeners(): void;
}

/** The load balancer as a listener host; refuses another implementation of the public interface. */
export function listenerHost(scope: IConstruct, loadBalancer: ITieredNetworkLoadBalancer): NlbListenerHost {
  const host = loadBalancer as Partial<NlbListenerHost>;
  if (typeof host._registerListener !== 'function' || typeof host._declare !== 'function'
    || typeof host._workloadClients !== 'function' || typeof host._acknowledgeOpenListeners !== 'function') {
    throw propError(scope, 'loadBalancer', loadBalancer.node.path, 'is not a TieredNetworkLoadBalancer: a listener declares its flows through the load balancer that owns them',
      'Create the listener with TieredNetworkLoadBalancer.addListener (or pass a TieredNetworkLoadBalancer as loadBalancer).');
  }
  return host as NlbListenerHost;
}
