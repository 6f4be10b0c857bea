import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { findingsOf } from './nag-test-util';
import { testStack } from '../util';

function setup() {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
  const sg = new ec2.SecurityGroup(stack, 'LbSg', { vpc, allowAllOutbound: false });
  return { stack, vpc, sg };
}

const fixed = elbv2.ListenerAction.fixedResponse(200);

describe('NetworkPatterns-ELB1: an ALB on a non-HTTP well-known port', () => {
  const ELB1 = 'NetworkPatterns-ELB1';

  test('Noncompliance 1: an ALB listener on MySQL 3306', () => {
    const { stack, vpc } = setup();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    alb.addListener('Db', { port: 3306, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: fixed });
    expect(findingsOf(stack, ELB1)).toEqual(['Test/Alb/Db/Resource']);
  });

  test('Noncompliance 2: an HTTP target group on PostgreSQL 5432', () => {
    const { stack, vpc } = setup();
    new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 5432, protocol: elbv2.ApplicationProtocol.HTTP });
    expect(findingsOf(stack, ELB1)).toEqual(['Test/Tg/Resource']);
  });

  test('Noncompliance 3: a listener on Kafka 9092 of an ALB outside the stack (HTTP protocol)', () => {
    const { stack } = setup();
    new elbv2.CfnListener(stack, 'Kafka', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shared/0123456789abcdef',
      port: 9092,
      protocol: 'HTTP',
      defaultActions: [{ type: 'fixed-response', fixedResponseConfig: { statusCode: '200' } }],
    });
    expect(findingsOf(stack, ELB1)).toEqual(['Test/Kafka']);
  });

  test('Noncompliance 4: an ALB listener on Redis 6379 and a target group on MongoDB 27017', () => {
    const { stack, vpc } = setup();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const tg = new elbv2.ApplicationTargetGroup(stack, 'Tg', { vpc, port: 27017, protocol: elbv2.ApplicationProtocol.HTTP });
    alb.addListener('Cache', { port: 6379, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [tg] });
    expect(findingsOf(stack, ELB1)).toEqual(['Test/Alb/Cache/Resource', 'Test/Tg/Resource']);
  });

  test('Compliance', () => {
    const { stack, vpc, sg } = setup();
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const web = new elbv2.ApplicationTargetGroup(stack, 'Web', { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP });
    alb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultTargetGroups: [web] });
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, securityGroups: [sg] });
    const db = new elbv2.NetworkTargetGroup(stack, 'Db', { vpc, port: 3306, protocol: elbv2.Protocol.TCP });
    nlb.addListener('Db', { port: 3306, defaultTargetGroups: [db] });
    expect(findingsOf(stack, ELB1)).toEqual([]);
  });
});

describe('NetworkPatterns-ELB2: an NLB without security groups', () => {
  const ELB2 = 'NetworkPatterns-ELB2';

  test('Noncompliance 1: aws-cdk-lib NetworkLoadBalancer without securityGroups', () => {
    const { stack, vpc } = setup();
    new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc });
    expect(findingsOf(stack, ELB2)).toEqual(['Test/Nlb/Resource']);
  });

  test('Noncompliance 2: an L1 network load balancer with an empty SecurityGroups list', () => {
    const { stack, vpc } = setup();
    new elbv2.CfnLoadBalancer(stack, 'Nlb', { type: 'network', subnets: vpc.publicSubnets.map((s) => s.subnetId), securityGroups: [] });
    expect(findingsOf(stack, ELB2)).toEqual(['Test/Nlb']);
  });

  test('Compliance', () => {
    const { stack, vpc, sg } = setup();
    new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc, securityGroups: [sg] });
    new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    expect(findingsOf(stack, ELB2)).toEqual([]);
  });
});
