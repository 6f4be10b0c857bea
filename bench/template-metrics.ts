/**
 * Figures read from synthesized CloudFormation templates: resource counts, NACL entries per
 * NACL and direction, security group rules per group. Pure functions over template JSON, so
 * they are the same for the library's apps and the hand-written ones.
 */

/** A CloudFormation template, as JSON. */
export interface CfnTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any; readonly Metadata?: any }>;
}

/** Entry counts of one NACL. */
export interface NaclCount {
  /** A name for the NACL: its construct path without the stack and the trailing `Resource`. */
  readonly name: string;
  /** Inbound entries. */
  readonly ingress: number;
  /** Outbound entries. */
  readonly egress: number;
}

/** Rule counts of one security group. */
export interface SecurityGroupCount {
  /** A name for the group: its construct path without the stack and the trailing `Resource`. */
  readonly name: string;
  /** Inbound rules (inline and standalone). */
  readonly ingress: number;
  /** Outbound rules (inline and standalone; aws-cdk-lib's "Disallow all traffic" placeholder is not counted). */
  readonly egress: number;
}

/** Everything `measureTemplates` reports. */
export interface TemplateMetrics {
  /** Resources over all templates. */
  readonly resources: number;
  /** Resources by type. */
  readonly resourceTypes: Record<string, number>;
  /** Every NACL with its entry counts. */
  readonly nacls: NaclCount[];
  /** Every security group with its rule counts. */
  readonly securityGroups: SecurityGroupCount[];
}

function nameOf(logicalId: string, resource: { Metadata?: any }): string {
  const p: string | undefined = resource.Metadata?.['aws:cdk:path'];
  if (!p) return logicalId;
  const parts = p.split('/').slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === 'Resource') parts.pop();
  return parts.join('/');
}

/** A reference `{ Ref: X }` or `{ 'Fn::GetAtt': [X, ...] }` to the logical id X, or undefined. */
function refTarget(v: any): string | undefined {
  if (v && typeof v === 'object') {
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0];
  }
  return undefined;
}

/** aws-cdk-lib's placeholder egress rule of a group with `allowAllOutbound: false` and no rules. */
function isPlaceholderEgress(rule: any): boolean {
  return rule?.CidrIp === '255.255.255.255/32' && rule?.IpProtocol === 'icmp';
}

/** Reads the figures of one or more templates. */
export function measureTemplates(templates: CfnTemplate[]): TemplateMetrics {
  const resourceTypes: Record<string, number> = {};
  const nacls = new Map<string, { name: string; ingress: number; egress: number }>();
  const groups = new Map<string, { name: string; ingress: number; egress: number }>();
  let resources = 0;

  templates.forEach((t, ti) => {
    const res = t.Resources ?? {};
    const key = (id: string) => `${ti}:${id}`;
    for (const [id, r] of Object.entries(res)) {
      resources++;
      resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;
      if (r.Type === 'AWS::EC2::NetworkAcl') nacls.set(key(id), { name: nameOf(id, r), ingress: 0, egress: 0 });
      if (r.Type === 'AWS::EC2::SecurityGroup') {
        const p = r.Properties ?? {};
        groups.set(key(id), {
          name: nameOf(id, r),
          ingress: (p.SecurityGroupIngress ?? []).length,
          egress: (p.SecurityGroupEgress ?? []).filter((e: any) => !isPlaceholderEgress(e)).length,
        });
      }
    }
    for (const r of Object.values(res)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::EC2::NetworkAclEntry') {
        const target = refTarget(p.NetworkAclId);
        const acl = target && nacls.get(key(target));
        if (!acl) continue;
        if (p.Egress === true || p.Egress === 'true') acl.egress++;
        else acl.ingress++;
      }
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' || r.Type === 'AWS::EC2::SecurityGroupEgress') {
        const target = refTarget(p.GroupId);
        const group = target && groups.get(key(target));
        if (!group) continue;
        if (r.Type === 'AWS::EC2::SecurityGroupIngress') group.ingress++;
        else group.egress++;
      }
    }
  });

  return {
    resources,
    resourceTypes,
    nacls: [...nacls.values()].sort((a, b) => a.name.localeCompare(b.name)),
    securityGroups: [...groups.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}
