/* eslint-disable @typescript-eslint/no-explicit-any */
import { cidrSplit, parseCidr } from './addresses';
import { Resource, StackInput, Val, VpcModel, displayPath, gid } from './model-types';
import { defaultDatabasePort } from '../private/database-ports';

const ECHOED_ATTRIBUTES: { [typeAndAttr: string]: string } = {
  'AWS::EC2::VPC.CidrBlock': 'CidrBlock',
  'AWS::EC2::Subnet.CidrBlock': 'CidrBlock',
  'AWS::EC2::Subnet.VpcId': 'VpcId',
  'AWS::EC2::Subnet.AvailabilityZone': 'AvailabilityZone',
  'AWS::EC2::SecurityGroup.VpcId': 'VpcId',
};

/**
 * The resources of one or more synthesized templates, and the resolution of CloudFormation
 * intrinsic functions over them (`Ref`, `Fn::GetAtt`, `Fn::ImportValue` across the stacks given,
 * `Fn::Select`, `Fn::Cidr`, `Fn::Join`, ...): every value becomes a resource, a literal, or an
 * unknown reason, never a guess. The first layer of the network model.
 */
export abstract class Intrinsics {
  public readonly resources = new Map<string, Resource>();
  public readonly vpcs = new Map<string, VpcModel>();
  /** Export name -> (stack, value) for Fn::ImportValue. */
  private readonly exportsByName = new Map<string, { stack: string; value: any }>();
  protected readonly stacks = new Map<string, StackInput>();

  constructor(inputs: StackInput[]) {
    for (const input of inputs) {
      this.stacks.set(input.name, input);
      const resources = input.template.Resources ?? {};
      for (const [logicalId, r] of Object.entries<any>(resources)) {
        const path = input.paths.get(logicalId) ?? r?.Metadata?.['aws:cdk:path'] ?? logicalId;
        const id = gid(input.name, logicalId);
        this.resources.set(id, {
          id,
          stack: input.name,
          logicalId,
          type: String(r?.Type ?? ''),
          props: r?.Properties ?? {},
          path,
          display: input.displays?.get(logicalId) ?? displayPath(path),
        });
      }
      for (const o of Object.values<any>(input.template.Outputs ?? {})) {
        const name = o?.Export?.Name;
        const lit = typeof name === 'string' ? name : this.literalString(input.name, name);
        if (lit !== undefined) this.exportsByName.set(lit, { stack: input.name, value: o.Value });
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Value resolution
  // ---------------------------------------------------------------------------------------

  /** Resolves a template value in `stack` to a resource, a literal or an unknown reason. */
  public resolve(stack: string, v: any, depth = 0): Val {
    if (depth > 10) return { kind: 'unk', reason: 'reference chain too deep' };
    if (v === null || v === undefined) return { kind: 'unk', reason: 'no value' };
    if (typeof v !== 'object') return { kind: 'lit', value: v };
    if (Array.isArray(v)) return { kind: 'lit', value: v };
    const keys = Object.keys(v);
    if (keys.length !== 1) return { kind: 'lit', value: v };
    const fn = keys[0];
    const arg = v[fn];
    switch (fn) {
      case 'Ref': {
        const input = this.stacks.get(stack);
        if (input?.template.Resources?.[arg]) return { kind: 'res', id: gid(stack, arg) };
        if (input?.template.Parameters?.[arg]) return { kind: 'unk', reason: `${this.where(stack)}parameter ${arg} (its value is known only at deploy time)` };
        return { kind: 'unk', reason: `Ref ${arg} (a pseudo parameter or something outside the template)` };
      }
      case 'Fn::GetAtt': {
        const [res, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        const input = this.stacks.get(stack);
        const target = input?.template.Resources?.[res];
        if (target) {
          // Attributes that merely echo a property (VPC or subnet CidrBlock, VpcId) resolve to that property.
          const echoed = ECHOED_ATTRIBUTES[`${target.Type}.${attr}`];
          if (echoed && target.Properties?.[echoed] !== undefined) return this.resolve(stack, target.Properties[echoed], depth + 1);
          if (target.Type === 'AWS::EC2::VPC' && (attr === 'Ipv6CidrBlocks' || attr === 'CidrBlockAssociations') && this.vpcs.has(gid(stack, res))) {
            const vpc = this.vpcs.get(gid(stack, res))!;
            if (attr === 'Ipv6CidrBlocks') return { kind: 'lit', value: vpc.ipv6Cidrs.map((c) => c.cidr) };
          }
          return { kind: 'res', id: gid(stack, res), attr };
        }
        return { kind: 'unk', reason: `Fn::GetAtt ${res}.${attr} (no such resource)` };
      }
      case 'Fn::ImportValue': {
        const name = typeof arg === 'string' ? arg : this.literalString(stack, arg);
        if (name === undefined) return { kind: 'unk', reason: 'Fn::ImportValue of a computed export name' };
        const exp = this.exportsByName.get(name);
        if (!exp) {
          return {
            kind: 'unk',
            reason: `Fn::ImportValue ${name}: no stack given to the analyzer exports it (pass the exporting stack too, e.g. ReachabilityAnalyzer.fromStacks([...]))`,
          };
        }
        return this.resolve(exp.stack, exp.value, depth + 1);
      }
      case 'Fn::Select': {
        const [indexV, list] = Array.isArray(arg) ? arg : [];
        const iv = this.resolve(stack, indexV, depth + 1);
        const index = iv.kind === 'lit' && /^\d+$/.test(String(iv.value)) ? Number(iv.value) : undefined;
        if (index === undefined) return { kind: 'unk', reason: 'Fn::Select with a computed index' };
        // Fn::GetAZs '' and Fn::GetAZs {Ref: AWS::Region} both list the stack's region's AZs.
        if (list && typeof list === 'object' && 'Fn::GetAZs' in list) return { kind: 'lit', value: `AZ #${index} of the region` };
        const l = this.resolve(stack, list, depth + 1);
        if (l.kind === 'lit' && Array.isArray(l.value) && index < l.value.length) return this.resolve(stack, l.value[index], depth + 1);
        return { kind: 'unk', reason: l.kind === 'unk' ? `Fn::Select over ${l.reason}` : 'Fn::Select over a computed list' };
      }
      case 'Fn::Cidr': {
        const [blockV, countV, bitsV] = Array.isArray(arg) ? arg : [];
        const block = this.resolve(stack, blockV, depth + 1);
        const count = this.resolve(stack, countV, depth + 1);
        const bits = this.resolve(stack, bitsV, depth + 1);
        const range = block.kind === 'lit' ? parseCidr(block.value) : undefined;
        if (!range || count.kind !== 'lit' || bits.kind !== 'lit') {
          return { kind: 'unk', reason: `Fn::Cidr over ${block.kind === 'unk' ? block.reason : 'values known only at deploy time'}` };
        }
        const list = cidrSplit(range, Number(count.value), Number(bits.value));
        return list ? { kind: 'lit', value: list } : { kind: 'unk', reason: `Fn::Cidr ${JSON.stringify(arg)} does not fit its block` };
      }
      case 'Fn::Join': {
        const s = this.literalString(stack, v);
        return s !== undefined ? { kind: 'lit', value: s } : { kind: 'unk', reason: 'Fn::Join of values known only at deploy time' };
      }
      default:
        return { kind: 'unk', reason: `${fn} is not evaluated by the analyzer` };
    }
  }

  /** Resolves a list value (an array of values, or something that yields one). */
  public resolveList(stack: string, v: any): Val[] | string {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map((x) => this.resolve(stack, x));
    const r = this.resolve(stack, v);
    if (r.kind === 'lit' && Array.isArray(r.value)) return r.value.map((x: any) => this.resolve(stack, x));
    return r.kind === 'unk' ? r.reason : `a list given as a single value (${JSON.stringify(v)})`;
  }

  /** A numeric port value, resolving a database endpoint port to its engine's port. */
  public resolvePort(stack: string, v: any): number | string {
    const r = this.resolve(stack, v);
    if (r.kind === 'lit') {
      const n = Number(r.value);
      return Number.isInteger(n) ? n : `port value ${JSON.stringify(r.value)}`;
    }
    if (r.kind === 'res' && ['ConfigurationEndpoint.Port', 'RedisEndpoint.Port', 'PrimaryEndPoint.Port', 'ReaderEndPoint.Port'].includes(r.attr ?? '')) {
      // An ElastiCache endpoint's port is the cluster's (or replication group's) Port, else the engine's default.
      const res = this.resources.get(r.id)!;
      const port = this.resolve(res.stack, res.props.Port);
      if (port.kind === 'lit' && Number.isInteger(Number(port.value))) return Number(port.value);
      const engine = String(res.props.Engine ?? 'redis').toLowerCase();
      return engine === 'memcached' ? 11211 : 6379;
    }
    if (r.kind === 'res' && (r.attr === 'Endpoint.Port' || r.attr === 'Port' || r.attr === 'ReadEndpoint.Port')) {
      const res = this.resources.get(r.id)!;
      const port = this.resolve(res.stack, res.props.Port);
      if (port.kind === 'lit' && Number.isInteger(Number(port.value))) return Number(port.value);
      const engine = String(res.props.Engine ?? '');
      const known = defaultDatabasePort(engine);
      if (known !== undefined) return known;
      return `the port of ${res.display} (engine ${engine || 'unknown'})`;
    }
    return r.kind === 'unk' ? r.reason : `a port read from ${this.resources.get(r.id)?.display}.${r.attr}`;
  }

  private literalString(stack: string, v: any): string | undefined {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'];
      if (!Array.isArray(parts)) return undefined;
      const strs = parts.map((p: any) => this.literalString(stack, p));
      return strs.every((s: any) => s !== undefined) ? strs.join(sep) : undefined;
    }
    return undefined;
  }

  private where(stack: string): string {
    return this.stacks.size > 1 ? `${stack}: ` : '';
  }

  /** The global id of a resource of one of `types` that `v` refers to, or a reason why not. */
  protected refTo(stack: string, v: any, types: string[], what: string): string | { unknown: string } {
    const r = this.resolve(stack, v);
    if (r.kind === 'res') {
      const res = this.resources.get(r.id)!;
      if (types.includes(res.type)) return r.id;
      return { unknown: `${what} refers to ${res.display} (${res.type}), not a ${types.join(' or ')}` };
    }
    if (r.kind === 'lit') {
      return { unknown: `${what} ${JSON.stringify(r.value)} is not defined in the analyzed template(s) (imported by id?)` };
    }
    return { unknown: `${what}: ${r.reason}` };
  }

  protected ofType(type: string): Resource[] {
    return [...this.resources.values()].filter((r) => r.type === type);
  }

  protected litOr(stack: string, v: any): any {
    const r = this.resolve(stack, v);
    return r.kind === 'lit' ? r.value : undefined;
  }
}
