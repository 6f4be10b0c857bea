import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { TemplateModel } from '../../model/template-model';

/** A CloudFormation resource of the stack, with its properties resolved (overrides included). */
export interface IndexedResource {
  readonly node: CfnResource;
  readonly logicalId: string;
  readonly type: string;
  readonly props: { [key: string]: any };
}

/**
 * The CloudFormation resources of one stack, resolved once per validation, so that rules that
 * follow references (a route to its NAT gateway, a function to its security groups) don't
 * re-resolve the stack for every resource they check.
 */
export class StackIndex {
  /** The index of `scope`'s stack (built on first use in the current validation). */
  public static of(scope: IConstruct): StackIndex {
    const stack = Stack.of(scope);
    let index = cache.get(stack);
    if (!index) {
      index = new StackIndex(stack);
      cache.set(stack, index);
    }
    return index;
  }

  /**
   * For a rule about security group ingress: the stack's index and the network model's id of
   * `node` when it holds ingress rules (a security group or a standalone ingress rule) and
   * synthesizes; undefined when the rule does not apply to it.
   */
  public static ofIngressHolder(node: CfnResource): { readonly index: StackIndex; readonly id: string } | undefined {
    if (node.cfnResourceType !== 'AWS::EC2::SecurityGroup' && node.cfnResourceType !== 'AWS::EC2::SecurityGroupIngress') {
      return undefined;
    }
    const index = StackIndex.of(node);
    const res = index.get(node);
    return res ? { index, id: index.modelId(res) } : undefined;
  }

  /** Every resource of the stack, in construct-tree (pre-)order. */
  public readonly resources: IndexedResource[] = [];
  private readonly byLogicalId = new Map<string, IndexedResource>();
  private readonly byNode = new Map<CfnResource, IndexedResource>();
  private readonly byType = new Map<string, IndexedResource[]>();
  private readonly memos = new Map<string, unknown>();

  private constructor(public readonly stack: Stack) {
    for (const c of stack.node.findAll()) {
      if (!CfnResource.isCfnResource(c) || Stack.of(c) !== stack) continue;
      const r = resolveResource(stack, c);
      if (!r) continue;
      this.resources.push(r);
      this.byLogicalId.set(r.logicalId, r);
      this.byNode.set(c, r);
      const list = this.byType.get(r.type) ?? [];
      list.push(r);
      this.byType.set(r.type, list);
    }
  }

  /** The indexed form of `node`, or undefined when it doesn't synthesize. */
  public get(node: CfnResource): IndexedResource | undefined {
    return this.byNode.get(node);
  }

  /** The stack's resources of a CloudFormation type. */
  public ofType(type: string): IndexedResource[] {
    return this.byType.get(type) ?? [];
  }

  /** The resource a `{ Ref }` or `{ Fn::GetAtt }` value points at, when it is in this stack. */
  public target(value: unknown): IndexedResource | undefined {
    const id = referencedLogicalId(value);
    return id === undefined ? undefined : this.byLogicalId.get(id);
  }

  /**
   * A stable key for a value that names a resource: `res:<logicalId>` for a reference to a
   * resource of this stack (whatever the attribute), else the value's JSON.
   */
  public key(value: unknown): string {
    const t = this.target(value);
    return t ? `res:${t.logicalId}` : `json:${JSON.stringify(value)}`;
  }

  /**
   * The stack's network model (the one the reachability analyzer reads), built once per stack
   * and validation. Global ids are `<stack>|<logicalId>`.
   */
  public get model(): TemplateModel {
    return this.memo('network-model', () => {
      const resources: { [id: string]: any } = {};
      const paths = new Map<string, string>();
      for (const r of this.resources) {
        resources[r.logicalId] = { Type: r.type, Properties: r.props };
        paths.set(r.logicalId, r.node.node.path);
      }
      return new TemplateModel([{ name: STACK, template: { Resources: resources }, paths }]);
    });
  }

  /** The network model's global id of a resource of this stack. */
  public modelId(res: IndexedResource): string {
    return `${STACK}|${res.logicalId}`;
  }

  /** A derived index, built once per stack and validation. */
  public memo<T>(name: string, build: () => T): T {
    if (!this.memos.has(name)) this.memos.set(name, build());
    return this.memos.get(name) as T;
  }
}

let cache = new WeakMap<Stack, StackIndex>();
const STACK = 'Stack';

/**
 * Forgets every index: a pack calls this at the start of each validation, so that a stack
 * changed after an earlier validation is read afresh.
 */
export function resetStackIndexes(): void {
  cache = new WeakMap<Stack, StackIndex>();
}

/** Thrown (and reported by cdk-nag as "the rule could not be validated") when a value is unresolved. */
export function unresolvedError(what: string): Error {
  return new Error(`${what} is not a literal value (an intrinsic function or parameter), so the rule could not be validated.`);
}

/** The logical id a `{ Ref: id }` or `{ 'Fn::GetAtt': [id, attr] }` names. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as { [key: string]: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

function resolveResource(stack: Stack, node: CfnResource): IndexedResource | undefined {
  try {
    // The resource as it will be synthesized: L1 props, raw overrides and property overrides.
    const rendered = stack.resolve((node as unknown as { _toCloudFormation(): object })._toCloudFormation()) as
      { Resources?: { [id: string]: { Type: string; Properties?: { [key: string]: any } } } };
    const [logicalId, def] = Object.entries(rendered?.Resources ?? {})[0] ?? [];
    if (!logicalId || !def) return undefined;
    return { node, logicalId, type: def.Type, props: def.Properties ?? {} };
  } catch {
    return undefined;
  }
}
