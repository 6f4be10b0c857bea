import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NetworkEndpoint } from './network-endpoint';
import { OpeningStatus, UndeclaredOpening } from './open-ports';
import { DeclaredFlowVerdict, ReachabilityAnalyzer, ReachabilityAnalyzerOptions } from './reachability-analyzer';
import { ReachabilityAnswer, Verdict } from './reachability-answer';
import { TieredVpc } from '../network/tiered-vpc';

/** Options of `NetworkAssertions.expectOnlyDeclaredFlows`. */
export interface OnlyDeclaredFlowsOptions {
  /**
   * Fail on LATENT undeclared openings too (an opening that one layer alone stops, e.g. a
   * security group rule that only the tier's NACL blocks).
   * @default false
   */
  readonly failOnLatent?: boolean;
}

/**
 * Reachability assertions for tests, in the style of aws-cdk-lib's `Template`: each `expect...`
 * throws an Error that says what blocked (or what was open) when it fails.
 *
 * @example
 * const net = NetworkAssertions.fromStack(stack);
 * net.expectReachable(NetworkEndpoint.internet(), NetworkEndpoint.of(alb), ec2.Port.tcp(443));
 * net.expectUnreachable(NetworkEndpoint.internet(), NetworkEndpoint.of(db), ec2.Port.tcp(5432));
 * net.expectOnlyDeclaredFlows(tieredVpc);
 */
export class NetworkAssertions {
  /** Assertions over one stack (synthesized once). */
  public static fromStack(stack: Stack, options?: ReachabilityAnalyzerOptions): NetworkAssertions {
    return new NetworkAssertions(ReachabilityAnalyzer.fromStack(stack, options));
  }

  /** Assertions over several stacks of an app (`Fn::ImportValue` resolved through their exports). */
  public static fromStacks(stacks: Stack[], options?: ReachabilityAnalyzerOptions): NetworkAssertions {
    return new NetworkAssertions(ReachabilityAnalyzer.fromStacks(stacks, options));
  }

  /** Assertions over a synthesized template. */
  public static fromTemplate(template: { [key: string]: any }, options?: ReachabilityAnalyzerOptions): NetworkAssertions {
    return new NetworkAssertions(ReachabilityAnalyzer.fromTemplate(template, options));
  }

  private constructor(
    /** The analyzer behind the assertions, for questions the assertions don't ask. */
    public readonly analyzer: ReachabilityAnalyzer,
  ) {}

  /** Fails unless `from` reaches `to` on every port of `port`, on every subnet path. */
  public expectReachable(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): void {
    const a = this.analyzer.canReach(from, to, port);
    if (a.verdict === Verdict.REACHABLE) return;
    const how = a.verdict === Verdict.BLOCKED ? 'it is blocked' : 'the analyzer cannot tell';
    throw new Error(`Expected ${a.query} to be reachable, but ${how}:\n${bullets(a.reasons)}`);
  }

  /** Fails if any of the traffic may get through (reachable, partly open, or unknown). */
  public expectUnreachable(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): void {
    const a = this.analyzer.canReach(from, to, port);
    if (a.verdict === Verdict.BLOCKED && !a.partiallyOpen) return;
    throw new Error(`Expected ${a.query} to be unreachable, but ${openness(a)}:\n${bullets(a.reasons)}`);
  }

  /**
   * Fails unless every flow declared on `tieredVpc` is reachable and nothing undeclared is open:
   * every LIVE (or UNKNOWN) undeclared opening the analyzer finds, exactly, between every node of
   * the VPC, a host in each tier and the internet (`ReachabilityAnalyzer.undeclaredOpenings`).
   * LATENT openings (one layer alone stops them) are listed in the message of a failure, and fail
   * too with `failOnLatent`.
   */
  public expectOnlyDeclaredFlows(tieredVpc: TieredVpc, options: OnlyDeclaredFlowsOptions = {}): void {
    const broken = this.analyzer.checkDeclaredFlows(tieredVpc).filter((v) => v.answer.verdict !== Verdict.REACHABLE);
    const openings = this.analyzer.undeclaredOpenings(tieredVpc);
    const open = openings.filter((o) => o.status !== OpeningStatus.LATENT);
    const latent = openings.filter((o) => o.status === OpeningStatus.LATENT);
    if (broken.length === 0 && open.length === 0 && (latent.length === 0 || !options.failOnLatent)) return;
    const lines = [`Expected only the declared flows of ${tieredVpc.node.path} to be open, but:`];
    if (broken.length > 0) {
      lines.push(`${broken.length} declared flow(s) are not reachable:`);
      for (const b of broken) lines.push(`  - ${b.flow.description} (${b.answer.verdict}):`, ...b.answer.reasons.map((r) => `      ${r}`));
    }
    const list = (title: string, items: UndeclaredOpening[]) => {
      if (items.length === 0) return;
      lines.push(title);
      for (const o of items.slice(0, 30)) lines.push(`  - ${describeOpening(o)}`, `      admitted by: ${o.admittedBy.join('; ') || '(no rule: no layer filters it)'}`);
      if (items.length > 30) lines.push(`  ... and ${items.length - 30} more`);
    };
    list(`${open.length} undeclared opening(s) are open (live or unknown):`, open);
    list(`${latent.length} undeclared opening(s) are latent (one layer alone stops each):`, latent);
    throw new Error(lines.join('\n'));
  }

  /** The analyzer's answer for each flow declared on `tieredVpc` (for reports). */
  public declaredFlowVerdicts(tieredVpc: TieredVpc): DeclaredFlowVerdict[] {
    return this.analyzer.checkDeclaredFlows(tieredVpc);
  }

  /** The analyzer's answer, for assertions of your own. */
  public answer(from: NetworkEndpoint, to: NetworkEndpoint, port: ec2.Port): ReachabilityAnswer {
    return this.analyzer.canReach(from, to, port);
  }
}

/** `internet -> Stack/Db on tcp 5432 (IPv4): live`. */
function describeOpening(o: UndeclaredOpening): string {
  const ports = o.fromPort === o.toPort ? `${o.fromPort}` : `${o.fromPort}-${o.toPort}`;
  return `${o.from} -> ${o.to} on ${o.protocol} ${ports} (${o.family}): ${o.status}${o.stoppedBy ? `, stopped only by ${o.stoppedBy}` : ''}`;
}

function bullets(reasons: string[]): string {
  return reasons.map((r) => `  - ${r}`).join('\n');
}

function openness(a: ReachabilityAnswer): string {
  if (a.verdict === Verdict.REACHABLE) return 'it is reachable';
  if (a.verdict === Verdict.UNKNOWN) return 'the analyzer cannot tell (it may be open)';
  return 'part of it is open';
}
