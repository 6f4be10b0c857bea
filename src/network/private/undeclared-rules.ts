/* eslint-disable @typescript-eslint/no-explicit-any */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Evaluator } from '../../model/evaluator';
import { SgRuleModel, TemplateModel, protocolName } from '../../model/template-model';
import { DeclaredFlow } from '../declared-flow';

const STACK = 'Stack';

/**
 * Resource types the check never reads: no security group rule, security group list or workload
 * refers to them. Rendering them would repeat most of the stack's synthesis for nothing (a tiered
 * VPC's NACL entries, routes and subnet associations alone are about half of a typical stack).
 * Anything not listed, including types unknown here, is rendered.
 */
const NOT_READ = new Set([
  'AWS::EC2::NetworkAcl', 'AWS::EC2::NetworkAclEntry', 'AWS::EC2::SubnetNetworkAclAssociation',
  'AWS::EC2::RouteTable', 'AWS::EC2::Route', 'AWS::EC2::SubnetRouteTableAssociation', 'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::FlowLog', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::KMS::Key', 'AWS::KMS::Alias',
  'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::CDK::Metadata',
]);

/**
 * The synth-time check a `TieredVpc` registers: every security group ingress rule that
 * aws-cdk-lib writes on the groups of the VPC's declared workloads (an ALB listener's default
 * `open: true`, `listener.addTargets`, `connections.allowFrom*` and `allowDefaultPortFrom*`) is
 * covered by a declared flow. Such a rule opens the security group layer only: without a flow,
 * the tier NACLs have no entries for it, so the opening is either dead (the NACL drops it) or,
 * worse, live through a NACL's return-traffic range. Rules written as L1 resources outside a
 * security group construct are left to the reachability analyzer, which reports them as
 * undeclared openings.
 *
 * Returns one error message per undeclared rule.
 */
export function undeclaredSecurityGroupRules(net: IConstruct, flows: DeclaredFlow[], addFlowHint: string): string[] {
  const stack = Stack.of(net);
  const resources: { [id: string]: any } = {};
  const paths = new Map<string, string>();
  for (const c of stack.node.findAll()) {
    if (!CfnResource.isCfnResource(c) || NOT_READ.has(c.cfnResourceType) || Stack.of(c) !== stack) continue;
    try {
      const rendered = stack.resolve((c as any)._toCloudFormation());
      const [logicalId, def] = Object.entries<any>(rendered?.Resources ?? {})[0] ?? [];
      if (!logicalId) continue;
      resources[logicalId] = def;
      paths.set(logicalId, c.node.path);
    } catch {
      continue;
    }
  }
  const model = new TemplateModel([{ name: STACK, template: { Resources: resources }, paths }]);
  const evaluator = new Evaluator(model, {
    instance: { from: 1024, to: 65535, label: '' },
    elb: { from: 1024, to: 65535, label: '' },
    lambda: { from: 1024, to: 65535, label: '' },
    managed: { from: 1024, to: 65535, label: '' },
  });
  const groupsOf = new Map<string, Set<string>>();
  const groups = (path: string | undefined): Set<string> => {
    if (!path) return new Set();
    let g = groupsOf.get(path);
    if (!g) {
      const spec = evaluator.resolvePaths([path], path);
      g = new Set(spec.kind === 'nodes' ? spec.nodes.flatMap((n) => n.sgs) : []);
      // A workload given as a security group (or a construct holding one) is its groups.
      for (const sg of model.sgs.keys()) {
        const res = model.resources.get(sg);
        if (res && (res.path === path || res.path.startsWith(`${path}/`))) g.add(sg);
      }
      groupsOf.set(path, g);
    }
    return g;
  };
  const workloads = new Map<string, string>(); // group key -> a workload path using it
  for (const f of flows) {
    for (const p of [f.fromPath, f.toPath]) for (const g of groups(p)) if (!workloads.has(g)) workloads.set(g, p!);
  }
  const errors: string[] = [];
  for (const [key, workload] of workloads) {
    const sg = model.sgs.get(key);
    const sgRes = model.resources.get(key);
    if (!sg || !sgRes) continue;
    const sgScope = sgRes.path.replace(/\/Resource$/, '');
    for (const rule of sg.ingress) {
      const owner = model.resources.get(rule.owner);
      // Only rules aws-cdk-lib writes: inline, or standalone under the group's own construct.
      if (!owner || (owner.id !== key && !owner.path.startsWith(`${sgScope}/`))) continue;
      if (rule.unknown || rule.placeholder) continue;
      if (covered(rule, key, flows, groups)) continue;
      const ports = rule.protocol === 6 || rule.protocol === 17 ? ` ${rule.p0 === rule.p1 ? rule.p0 : `${rule.p0}-${rule.p1}`}` : '';
      const peer = rule.peer.kind === 'cidr' ? `FlowEndpoint.internet({ cidrs: ['${rule.peer.range.cidr}'] })`
        : rule.peer.kind === 'sg' ? `FlowEndpoint.workload(<the workload of ${rule.peer.text}>, { tier: <its tier> })` : '<the peer>';
      const port = rule.protocol === 17 ? `ec2.Port.udp${rule.p0 === rule.p1 ? `(${rule.p0})` : `Range(${rule.p0}, ${rule.p1})`}`
        : rule.protocol === 6 ? `ec2.Port.tcp${rule.p0 === rule.p1 ? `(${rule.p0})` : `Range(${rule.p0}, ${rule.p1})`}` : 'ec2.Port.allTraffic()';
      errors.push(`${net.node.path}: the security group rule ${owner.path} (${protocolName(rule.protocol)}${ports} from ${rule.peer.kind === 'cidr' ? rule.peer.range.cidr
        : rule.peer.kind === 'sg' ? rule.peer.text : 'an unresolved peer'}) opens ${sg.display} of ${workload}, but no flow declares it, so the tier NACLs ` +
        `were not opened for it (the traffic is dropped, or slips through a return-traffic range). Declare it with ${addFlowHint}.addFlow(${peer}, ` +
        `FlowEndpoint.workload(<${workload}>, { tier: <its tier> }), ${port}), or remove the rule (an ALB listener opens itself to 0.0.0.0/0 unless ` +
        'created with open: false).');
    }
  }
  return errors;
}

function covered(rule: SgRuleModel, group: string, flows: DeclaredFlow[], groups: (path: string | undefined) => Set<string>): boolean {
  return flows.some((f) => {
    if ((f.protocol === 'udp' ? 17 : 6) !== rule.protocol) return false;
    if (f.fromPort > rule.p0 || f.toPort < rule.p1) return false;
    if (!groups(f.toPath).has(group)) return false;
    if (rule.peer.kind === 'sg') return groups(f.fromPath).has(rule.peer.key);
    if (rule.peer.kind === 'cidr') {
      if (f.fromTier !== undefined) return false;
      const c = rule.peer.range;
      return (f.internetCidrs ?? ['0.0.0.0/0']).some((x) => x === c.cidr);
    }
    return false;
  });
}
