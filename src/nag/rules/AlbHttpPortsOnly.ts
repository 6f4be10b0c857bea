import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { NON_HTTP_PORTS } from '../private/ports';
import { StackIndex } from '../private/stack-index';

/**
 * Application Load Balancer listeners and HTTP/HTTPS target groups are not on the well-known
 * port of a non-HTTP protocol (SSH 22, SMTP 25, DNS 53, SQL Server 1433, Oracle 1521, NFS 2049,
 * MySQL 3306, RDP 3389, PostgreSQL 5432, Redis 6379, Kafka 9092/9094, Memcached 11211, MongoDB
 * 27017): an ALB speaks only HTTP/HTTPS and cannot front them; use a Network Load Balancer
 * (see https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html).
 *
 * A listener is an ALB listener when its load balancer (in the stack) has `Type` application
 * (the default), or, for a load balancer outside the stack, when its protocol is HTTP or HTTPS.
 * A target group is an ALB target group when its protocol is HTTP or HTTPS.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const type = node.cfnResourceType;
    if (type !== 'AWS::ElasticLoadBalancingV2::Listener' && type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const index = StackIndex.of(node);
    const res = index.get(node);
    if (!res) return NagRuleCompliance.NOT_APPLICABLE;
    const p = res.props;
    const httpProtocol = typeof p.Protocol === 'string' && ['HTTP', 'HTTPS'].includes(p.Protocol.toUpperCase());

    let alb: boolean;
    if (type === 'AWS::ElasticLoadBalancingV2::Listener') {
      const lb = index.target(p.LoadBalancerArn);
      alb = lb && lb.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer'
        ? String(lb.props.Type ?? 'application').toLowerCase() === 'application'
        : httpProtocol;
    } else {
      alb = httpProtocol && String(p.TargetType ?? 'instance').toLowerCase() !== 'lambda';
    }
    if (!alb) return NagRuleCompliance.NOT_APPLICABLE;
    const port = Number(p.Port);
    if (!Number.isInteger(port)) return NagRuleCompliance.COMPLIANT;
    return NON_HTTP_PORTS.has(port) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: parse(__filename).name },
);
