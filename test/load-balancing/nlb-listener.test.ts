import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ITieredNetworkLoadBalancer, NlbListener, NlbTarget, TieredNetworkLoadBalancer, TieredVpc } from '../../src';
import { TEST_AZS, testStack } from '../util';
import { tierGroup } from './fixtures';

describe('NlbListener: its load balancer', () => {
  test('a listener created directly on a TieredNetworkLoadBalancer registers with it, as addListener does', () => {
    // GIVEN
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const nlb = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    // WHEN
    const listener = new NlbListener(nlb, 'Kafka', { loadBalancer: nlb, port: 9092, targets: [NlbTarget.autoScalingGroup(tierGroup(stack, 'Servers', net))] });
    // THEN
    expect(nlb.listeners).toEqual([listener]);
    expect(() => nlb.addListener('Again', { port: 9092, targets: [NlbTarget.autoScalingGroup(tierGroup(stack, 'More', net))] }))
      .toThrow(/Test\/Nlb\/Again: port is already used by listener Kafka/);
  });

  test('fails for another implementation of ITieredNetworkLoadBalancer: the flows are declared through the load balancer that owns them', () => {
    // GIVEN an object that has the public shape of a tiered NLB, but is not one
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
    const real = new TieredNetworkLoadBalancer(stack, 'Nlb', { network: net, internetFacing: true });
    const impostor = new Construct(stack, 'Impostor') as Construct & Record<string, unknown>;
    Object.assign(impostor, {
      loadBalancer: real.loadBalancer,
      securityGroup: real.securityGroup,
      connections: new ec2.Connections(),
      network: net,
      tier: real.tier,
      internetFacing: true,
      clientCidrs: ['0.0.0.0/0'],
    });
    // WHEN / THEN
    expect(() => new NlbListener(stack, 'Listener', {
      loadBalancer: impostor as unknown as ITieredNetworkLoadBalancer, port: 443, targets: [NlbTarget.autoScalingGroup(tierGroup(stack, 'Servers', net))],
    })).toThrow(/Test\/Listener: loadBalancer is not a TieredNetworkLoadBalancer.*got 'Test\/Impostor'.*TieredNetworkLoadBalancer\.addListener/s);
  });
});
