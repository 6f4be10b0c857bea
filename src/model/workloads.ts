/* eslint-disable @typescript-eslint/no-explicit-any */
import { ClientKind, NodeModel, Resource, Val, asArray } from './model-types';
import { NetworkResources } from './network-resources';

/**
 * The workloads of the model: every node that sits in subnets with security groups, one case per
 * CloudFormation type (EC2 instances, auto scaling groups, Lambda functions, RDS instances,
 * clusters and proxies, load balancers and their listeners, ElastiCache, interface endpoints,
 * ENIs, EFS mount targets, OpenSearch domains, MSK clusters, ECS services on awsvpc or on their
 * cluster's instances), with its subnets, security groups and public address.
 */
export abstract class Workloads extends NetworkResources {
  public readonly nodes: NodeModel[] = [];

  // ---------------------------------------------------------------------------------------
  // Nodes
  // ---------------------------------------------------------------------------------------

  private newNode(r: Resource, kind: string, clientKind: ClientKind, extra: Partial<NodeModel> = {}): NodeModel {
    const node: NodeModel = {
      id: r.id,
      path: r.path,
      display: r.display,
      logicalId: r.logicalId,
      kind,
      subnets: [],
      sgMode: 'list',
      sgs: [],
      publicIp: false,
      publicNote: 'no public address',
      acceptsInbound: true,
      initiates: true,
      clientKind,
      isLoadBalancer: false,
      listeners: [],
      outsideVpc: false,
      notes: [],
      ...extra,
    };
    this.nodes.push(node);
    return node;
  }

  private setSubnets(node: NodeModel, stack: string, v: any, what: string): void {
    const list = this.resolveList(stack, v);
    if (typeof list === 'string') {
      node.subnetsUnknown = `${node.display} ${what}: ${list}`;
      return;
    }
    for (const item of list) {
      const s = this.valRef(item, ['AWS::EC2::Subnet']);
      if (typeof s === 'string') node.subnets.push(s);
      else node.subnetsUnknown = `${node.display} ${what}: ${s.unknown}`;
    }
    if (node.subnets.length === 0 && !node.subnetsUnknown) node.subnetsUnknown = `${node.display} names no subnets (${what})`;
  }

  private valRef(v: Val, types: string[]): string | { unknown: string } {
    if (v.kind === 'res') {
      const res = this.resources.get(v.id)!;
      return types.includes(res.type) ? v.id : { unknown: `refers to ${res.display} (${res.type})` };
    }
    if (v.kind === 'lit') return { unknown: `${JSON.stringify(v.value)} is not defined in the analyzed template(s) (imported by id?)` };
    return { unknown: v.reason };
  }

  private setSgs(node: NodeModel, stack: string, v: any, what: string): void {
    if (v === undefined) {
      // No security group named: EC2 attaches the VPC's default group.
      const vpc = node.subnets.map((sid) => this.subnets.get(sid)?.vpc).find((x) => x !== undefined);
      if (vpc) node.sgs.push(this.defaultSecurityGroup(vpc));
      else node.sgsUnknown = `${node.display} names no security groups (${what}), so it gets its VPC's default security group, and its VPC is unknown`;
      return;
    }
    const list = this.resolveList(stack, v);
    if (typeof list === 'string') {
      node.sgsUnknown = `${node.display} ${what}: ${list}`;
      return;
    }
    for (const item of list) {
      const k = this.sgKeyOf(item);
      if ('unknown' in k) node.sgsUnknown = `${node.display} ${what}: ${k.unknown}`;
      else node.sgs.push(k.key);
    }
  }

  private setPublic(node: NodeModel, explicit: any, why: string): void {
    if (explicit === true || explicit === 'true') {
      node.publicIp = true;
      node.publicNote = why;
    } else if (explicit === undefined) {
      const mapped = node.subnets.filter((s) => this.subnets.get(s)?.mapPublicIp);
      if (mapped.length > 0 && mapped.length === node.subnets.length) {
        node.publicIp = true;
        node.publicNote = 'a public IP from its subnets\' MapPublicIpOnLaunch';
      }
    }
    if (this.publicByEip.has(node.id)) {
      node.publicIp = true;
      node.publicNote = 'an Elastic IP';
    }
  }

  private findByName(type: string, nameProp: string, value: any): Resource | undefined {
    return [...this.resources.values()].find((r) => r.type === type && r.props[nameProp] !== undefined &&
      String(r.props[nameProp]).toLowerCase() === String(value).toLowerCase());
  }

  /** A subnet group resource referenced by Ref (or by its literal name). */
  private subnetGroup(stack: string, v: any, type: string, nameProp: string): Resource | string {
    if (v === undefined) return 'no subnet group (the default VPC\'s default group is used)';
    const r = this.resolve(stack, v);
    if (r.kind === 'res') {
      const res = this.resources.get(r.id)!;
      return res.type === type ? res : `the subnet group refers to ${res.display} (${res.type})`;
    }
    if (r.kind === 'lit') return this.findByName(type, nameProp, r.value) ?? `subnet group ${JSON.stringify(r.value)} is not in the analyzed template(s)`;
    return r.reason;
  }

  protected buildNodes(): void {
    const asgNodes = new Map<string, NodeModel>();
    for (const r of this.resources.values()) {
      const p = r.props;
      switch (r.type) {
        case 'AWS::EC2::Instance': {
          const node = this.newNode(r, 'EC2 instance', 'instance');
          node.forwards = p.SourceDestCheck === false || p.SourceDestCheck === 'false';
          const ni = asArray(p.NetworkInterfaces).find((n: any) => String(n.DeviceIndex ?? '0') === '0');
          if (ni) {
            this.setSubnets(node, r.stack, [ni.SubnetId], 'NetworkInterfaces[0].SubnetId');
            this.setSgs(node, r.stack, ni.GroupSet, 'NetworkInterfaces[0].GroupSet');
            this.setPublic(node, ni.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
          } else {
            if (p.SubnetId === undefined) node.subnetsUnknown = `${r.display} names no SubnetId (it would launch in the default VPC)`;
            else this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
            if (p.SecurityGroups !== undefined && p.SecurityGroupIds === undefined) {
              node.sgsUnknown = `${r.display} names security groups by name (SecurityGroups)`;
            } else {
              this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
            }
            this.setPublic(node, undefined, '');
          }
          break;
        }
        case 'AWS::AutoScaling::AutoScalingGroup': {
          const node = this.newNode(r, 'auto scaling group', 'instance');
          asgNodes.set(r.id, node);
          this.setSubnets(node, r.stack, p.VPCZoneIdentifier, 'VPCZoneIdentifier');
          this.asgLaunchData(node, r);
          break;
        }
        case 'AWS::Lambda::Function': {
          if (!p.VpcConfig || p.VpcConfig.SubnetIds === undefined) {
            this.newNode(r, 'Lambda function (no VPC)', 'lambda', { acceptsInbound: false, outsideVpc: true });
            break;
          }
          const node = this.newNode(r, 'Lambda function', 'lambda', { acceptsInbound: false });
          this.setSubnets(node, r.stack, p.VpcConfig.SubnetIds, 'VpcConfig.SubnetIds');
          this.setSgs(node, r.stack, p.VpcConfig.SecurityGroupIds, 'VpcConfig.SecurityGroupIds');
          break;
        }
        case 'AWS::Serverless::Application': {
          // A Secrets Manager rotation function from the Serverless Application Repository (what
          // aws-cdk-lib's SecretRotation deploys): its VPC placement comes in as comma-joined parameters.
          const params = p.Parameters ?? {};
          if (params.vpcSubnetIds === undefined) break;
          const node = this.newNode(r, 'Lambda function (serverless application)', 'lambda', { acceptsInbound: false });
          this.setSubnets(node, r.stack, commaList(params.vpcSubnetIds), 'Parameters.vpcSubnetIds');
          this.setSgs(node, r.stack, commaList(params.vpcSecurityGroupIds), 'Parameters.vpcSecurityGroupIds');
          break;
        }
        case 'AWS::RDS::DBInstance': {
          if (p.DBClusterIdentifier !== undefined) break; // part of its cluster's node
          const node = this.newNode(r, 'RDS DB instance', 'managed');
          this.dbPlacement(node, r, p.VPCSecurityGroups, 'VPCSecurityGroups');
          this.setPublic(node, p.PubliclyAccessible === undefined ? false : p.PubliclyAccessible, 'PubliclyAccessible');
          break;
        }
        case 'AWS::RDS::DBCluster': {
          const node = this.newNode(r, 'RDS DB cluster', 'managed');
          this.dbPlacement(node, r, p.VpcSecurityGroupIds, 'VpcSecurityGroupIds');
          const members = this.ofType('AWS::RDS::DBInstance').filter((i) => {
            const c = this.resolve(i.stack, i.props.DBClusterIdentifier);
            return c.kind === 'res' && c.id === r.id;
          });
          const pub = p.PubliclyAccessible === true || members.some((m) => m.props.PubliclyAccessible === true || m.props.PubliclyAccessible === 'true');
          this.setPublic(node, pub, 'PubliclyAccessible');
          break;
        }
        case 'AWS::RDS::DBProxy':
        case 'AWS::RDS::DBProxyEndpoint': {
          const node = this.newNode(r, r.type === 'AWS::RDS::DBProxy' ? 'RDS proxy' : 'RDS proxy endpoint', 'managed');
          this.setSubnets(node, r.stack, p.VpcSubnetIds, 'VpcSubnetIds');
          this.setSgs(node, r.stack, p.VpcSecurityGroupIds, 'VpcSecurityGroupIds');
          break;
        }
        case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
          const type = String(p.Type ?? 'application');
          if (type === 'gateway') break;
          const node = this.newNode(r, type === 'network' ? 'network load balancer' : 'application load balancer', 'elb', { isLoadBalancer: true });
          if (p.SubnetMappings !== undefined) {
            const list = this.resolveList(r.stack, p.SubnetMappings);
            this.setSubnets(node, r.stack, typeof list === 'string' ? p.SubnetMappings : asArray(p.SubnetMappings).map((m: any) => m.SubnetId), 'SubnetMappings');
          } else {
            this.setSubnets(node, r.stack, p.Subnets, 'Subnets');
          }
          if (type === 'network' && (p.SecurityGroups === undefined || (Array.isArray(p.SecurityGroups) && p.SecurityGroups.length === 0))) {
            node.sgMode = 'none';
            node.notes.push(`${r.display} is a network load balancer without security groups: it admits everything at the security group layer`);
          } else {
            this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          }
          const scheme = String(this.litOr(r.stack, p.Scheme) ?? 'internet-facing');
          node.publicIp = scheme === 'internet-facing';
          node.publicNote = node.publicIp ? 'an internet-facing load balancer' : 'an internal load balancer (Scheme internal)';
          break;
        }
        case 'AWS::ElasticLoadBalancing::LoadBalancer': {
          // A Classic Load Balancer: TCP listeners on LoadBalancerPort (HTTP, HTTPS, TCP and SSL all run over TCP).
          const node = this.newNode(r, 'classic load balancer', 'elb', { isLoadBalancer: true });
          this.setSubnets(node, r.stack, p.Subnets, 'Subnets');
          this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          const scheme = String(this.litOr(r.stack, p.Scheme) ?? 'internet-facing');
          node.publicIp = scheme !== 'internal';
          node.publicNote = node.publicIp ? 'an internet-facing load balancer' : 'an internal load balancer (Scheme internal)';
          for (const l of asArray(p.Listeners)) {
            const port = this.resolvePort(r.stack, l?.LoadBalancerPort);
            node.listeners.push(typeof port === 'number' ? { protocols: ['tcp'], port } : { protocols: ['tcp'], unknown: port });
          }
          break;
        }
        case 'AWS::ElastiCache::CacheCluster':
        case 'AWS::ElastiCache::ReplicationGroup': {
          const node = this.newNode(r, r.type === 'AWS::ElastiCache::CacheCluster' ? 'ElastiCache cluster' : 'ElastiCache replication group', 'managed');
          const g = this.subnetGroup(r.stack, p.CacheSubnetGroupName, 'AWS::ElastiCache::SubnetGroup', 'CacheSubnetGroupName');
          if (typeof g === 'string') node.subnetsUnknown = `${r.display}: ${g}`;
          else this.setSubnets(node, g.stack, g.props.SubnetIds, `subnet group ${g.display} SubnetIds`);
          this.setSgs(node, r.stack, r.type === 'AWS::ElastiCache::CacheCluster' ? p.VpcSecurityGroupIds : p.SecurityGroupIds,
            r.type === 'AWS::ElastiCache::CacheCluster' ? 'VpcSecurityGroupIds' : 'SecurityGroupIds');
          break;
        }
        case 'AWS::ElastiCache::ServerlessCache': {
          const node = this.newNode(r, 'ElastiCache serverless cache', 'managed');
          this.setSubnets(node, r.stack, p.SubnetIds, 'SubnetIds');
          this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
          break;
        }
        case 'AWS::EC2::VPCEndpoint': {
          if (String(p.VpcEndpointType ?? 'Gateway') !== 'Interface') break;
          const node = this.newNode(r, 'interface VPC endpoint', 'managed', { initiates: false });
          this.setSubnets(node, r.stack, p.SubnetIds, 'SubnetIds');
          this.setSgs(node, r.stack, p.SecurityGroupIds, 'SecurityGroupIds');
          break;
        }
        case 'AWS::EC2::NetworkInterface': {
          const node = this.newNode(r, 'network interface', 'instance');
          this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
          this.setSgs(node, r.stack, p.GroupSet, 'GroupSet');
          this.setPublic(node, false, '');
          break;
        }
        case 'AWS::EFS::MountTarget': {
          const node = this.newNode(r, 'EFS mount target', 'managed');
          this.setSubnets(node, r.stack, [p.SubnetId], 'SubnetId');
          this.setSgs(node, r.stack, p.SecurityGroups, 'SecurityGroups');
          break;
        }
        case 'AWS::OpenSearchService::Domain': {
          if (!p.VPCOptions) break;
          const node = this.newNode(r, 'OpenSearch domain', 'managed');
          this.setSubnets(node, r.stack, p.VPCOptions.SubnetIds, 'VPCOptions.SubnetIds');
          this.setSgs(node, r.stack, p.VPCOptions.SecurityGroupIds, 'VPCOptions.SecurityGroupIds');
          break;
        }
        case 'AWS::MSK::Cluster': {
          const node = this.newNode(r, 'MSK cluster', 'managed');
          this.setSubnets(node, r.stack, p.BrokerNodeGroupInfo?.ClientSubnets, 'BrokerNodeGroupInfo.ClientSubnets');
          this.setSgs(node, r.stack, p.BrokerNodeGroupInfo?.SecurityGroups, 'BrokerNodeGroupInfo.SecurityGroups');
          break;
        }
        default:
          break;
      }
    }
    // ECS services after the ASGs: bridge-mode tasks live on their cluster's instances.
    for (const r of this.ofType('AWS::ECS::Service')) this.ecsService(r, asgNodes);
    for (const r of this.ofType('AWS::ElasticLoadBalancingV2::Listener')) {
      const lb = this.resolve(r.stack, r.props.LoadBalancerArn);
      const node = lb.kind === 'res' ? this.nodes.find((n) => n.id === lb.id) : undefined;
      if (!node) continue;
      const proto = String(this.litOr(r.stack, r.props.Protocol) ?? (node.kind.startsWith('network') ? 'TCP' : 'HTTP')).toUpperCase();
      const protocols = proto === 'UDP' ? ['udp'] : proto === 'TCP_UDP' ? ['tcp', 'udp'] : ['tcp'];
      const port = this.resolvePort(r.stack, r.props.Port);
      node.listeners.push(typeof port === 'number' ? { protocols, port } : { protocols, unknown: port });
    }
  }

  private dbPlacement(node: NodeModel, r: Resource, sgs: any, sgProp: string): void {
    const g = this.subnetGroup(r.stack, r.props.DBSubnetGroupName, 'AWS::RDS::DBSubnetGroup', 'DBSubnetGroupName');
    if (typeof g === 'string') node.subnetsUnknown = `${r.display}: ${g}`;
    else this.setSubnets(node, g.stack, g.props.SubnetIds, `subnet group ${g.display} SubnetIds`);
    this.setSgs(node, r.stack, sgs, sgProp);
  }

  private asgLaunchData(node: NodeModel, r: Resource): void {
    const p = r.props;
    const ltSpec = p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (ltSpec) {
      const lt = ltSpec.LaunchTemplateId !== undefined
        ? this.resolve(r.stack, ltSpec.LaunchTemplateId)
        : this.resolve(r.stack, ltSpec.LaunchTemplateName);
      let res: Resource | undefined;
      if (lt.kind === 'res') res = this.resources.get(lt.id);
      else if (lt.kind === 'lit') res = this.findByName('AWS::EC2::LaunchTemplate', 'LaunchTemplateName', lt.value);
      if (!res || res.type !== 'AWS::EC2::LaunchTemplate') {
        node.sgsUnknown = `${r.display}: its launch template is not in the analyzed template(s)`;
        return;
      }
      const data = res.props.LaunchTemplateData ?? {};
      const ni = asArray(data.NetworkInterfaces).find((n: any) => String(n.DeviceIndex ?? '0') === '0');
      if (ni) {
        this.setSgs(node, res.stack, ni.Groups, `launch template ${res.display} NetworkInterfaces[0].Groups`);
        this.setPublic(node, ni.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
      } else if (data.SecurityGroups !== undefined && data.SecurityGroupIds === undefined) {
        node.sgsUnknown = `${r.display}: launch template ${res.display} names security groups by name`;
      } else {
        this.setSgs(node, res.stack, data.SecurityGroupIds, `launch template ${res.display} SecurityGroupIds`);
        this.setPublic(node, undefined, '');
      }
      return;
    }
    if (p.LaunchConfigurationName !== undefined) {
      const lc = this.resolve(r.stack, p.LaunchConfigurationName);
      const res = lc.kind === 'res' ? this.resources.get(lc.id) : undefined;
      if (!res || res.type !== 'AWS::AutoScaling::LaunchConfiguration') {
        node.sgsUnknown = `${r.display}: its launch configuration is not in the analyzed template(s)`;
        return;
      }
      this.setSgs(node, res.stack, res.props.SecurityGroups, `launch configuration ${res.display} SecurityGroups`);
      this.setPublic(node, res.props.AssociatePublicIpAddress, 'a public IP (AssociatePublicIpAddress)');
      return;
    }
    node.sgsUnknown = `${r.display} has neither a launch template nor a launch configuration in the template`;
  }

  /** An auto scaling group's launch template data or launch configuration properties, when in the template. */
  private launchDataOf(asg: Resource): { [key: string]: any } | undefined {
    const p = asg.props;
    const ltSpec = p.LaunchTemplate ?? p.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const v = ltSpec ? this.resolve(asg.stack, ltSpec.LaunchTemplateId ?? ltSpec.LaunchTemplateName)
      : p.LaunchConfigurationName !== undefined ? this.resolve(asg.stack, p.LaunchConfigurationName) : undefined;
    if (!v || v.kind !== 'res') return undefined;
    return this.resources.get(v.id)?.props;
  }

  private ecsService(r: Resource, asgNodes: Map<string, NodeModel>): void {
    const p = r.props;
    const awsvpc = p.NetworkConfiguration?.AwsvpcConfiguration;
    if (awsvpc) {
      const node = this.newNode(r, 'ECS service (awsvpc)', 'instance');
      this.setSubnets(node, r.stack, awsvpc.Subnets, 'AwsvpcConfiguration.Subnets');
      this.setSgs(node, r.stack, awsvpc.SecurityGroups, 'AwsvpcConfiguration.SecurityGroups');
      node.publicIp = awsvpc.AssignPublicIp === 'ENABLED';
      node.publicNote = node.publicIp ? 'a public IP (AssignPublicIp ENABLED)' : 'no public IP (AssignPublicIp DISABLED)';
      return;
    }
    const node = this.newNode(r, 'ECS service (bridge/host mode)', 'instance');
    const cluster = this.resolve(r.stack, p.Cluster);
    const asgs: NodeModel[] = [];
    if (cluster.kind === 'res') {
      for (const a of this.ofType('AWS::ECS::ClusterCapacityProviderAssociations')) {
        const c = this.resolve(a.stack, a.props.Cluster);
        if (c.kind !== 'res' || c.id !== cluster.id) continue;
        for (const cp of asArray(a.props.CapacityProviders)) {
          const cpv = this.resolve(a.stack, cp);
          const cpr = cpv.kind === 'res' ? this.resources.get(cpv.id) : undefined;
          const asgv = cpr ? this.resolve(cpr.stack, cpr.props.AutoScalingGroupProvider?.AutoScalingGroupArn) : undefined;
          const asg = asgv?.kind === 'res' ? asgNodes.get(asgv.id) : undefined;
          if (asg) asgs.push(asg);
        }
      }
    }
    if (asgs.length === 0 && cluster.kind === 'res') {
      // Container instances join a cluster through their user data (ECS_CLUSTER=<cluster name> in /etc/ecs/ecs.config).
      const logicalId = this.resources.get(cluster.id)!.logicalId;
      for (const [id, asg] of asgNodes) {
        const res = this.resources.get(id)!;
        const lt = this.launchDataOf(res);
        const userData = JSON.stringify(lt?.UserData ?? lt?.LaunchTemplateData?.UserData ?? '');
        if (userData.includes('ECS_CLUSTER') && userData.includes(`{"Ref":"${logicalId}"}`)) asgs.push(asg);
      }
    }
    if (asgs.length === 0) {
      node.subnetsUnknown = `${r.display} is a bridge/host-mode ECS service whose cluster has no capacity provider with an auto scaling group in the template, ` +
        'so the container instances it runs on are unknown';
      return;
    }
    node.notes.push(`${r.display} runs in bridge/host mode on the container instances of ${asgs.map((a) => a.display).join(', ')}`);
    for (const a of asgs) {
      node.subnets.push(...a.subnets.filter((s) => !node.subnets.includes(s)));
      node.sgs.push(...a.sgs.filter((s) => !node.sgs.includes(s)));
      node.subnetsUnknown = node.subnetsUnknown ?? a.subnetsUnknown;
      node.sgsUnknown = node.sgsUnknown ?? a.sgsUnknown;
      if (a.publicIp) {
        node.publicIp = true;
        node.publicNote = a.publicNote;
      }
    }
  }
}

/**
 * A comma-separated list parameter as the items it joins: `Fn::Join ['', [a, ',', b]]`,
 * `Fn::Join [',', [a, b]]`, a literal `'a,b'`, or a single value.
 */
function commaList(v: any): any[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter(Boolean);
  const join = v && typeof v === 'object' ? v['Fn::Join'] : undefined;
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const [sep, parts] = join;
    if (sep === ',') return parts;
    if (sep === '') {
      const items: any[] = [];
      for (const part of parts) {
        if (typeof part === 'string') items.push(...part.split(',').map((x: string) => x.trim()).filter(Boolean));
        else items.push(part);
      }
      return items;
    }
  }
  return [v];
}
