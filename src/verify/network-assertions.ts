import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NetworkEndpoint } from './network-endpoint';
import { DeclaredFlowVerdict, ReachabilityAnalyzer, ReachabilityAnalyzerOptions } from './reachability-analyzer';
import { ReachabilityAnswer, Verdict } from './reachability-answer';
import { TieredVpc } from '../network/tiered-vpc';

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
   * Fails unless every flow declared on `tieredVpc` is reachable and no sampled undeclared
   * (from, to, port) triple among its workloads and the internet is open. The sampling is
   * `ReachabilityAnalyzer.probeUndeclaredFlows`'s.
   * @param probePorts ports to probe besides the declared flows' boundaries
   * @default - SSH 22, RDP 3389, 80, 443, 8080, 3306, 5432, 6379, 9092, 27017 (TCP) and DNS 53 (UDP)
   */
  public expectOnlyDeclaredFlows(tieredVpc: TieredVpc, probePorts?: ec2.Port[]): void {
    const broken = this.analyzer.checkDeclaredFlows(tieredVpc).filter((v) => v.answer.verdict !== Verdict.REACHABLE);
    const open = this.analyzer.probeUndeclaredFlows(tieredVpc, probePorts)
      .filter((p) => p.open);
    if (broken.length === 0 && open.length === 0) return;
    const lines = [`Expected only the declared flows of ${tieredVpc.node.path} to be open, but:`];
    if (broken.length > 0) {
      lines.push(`${broken.length} declared flow(s) are not reachable:`);
      for (const b of broken) lines.push(`  - ${b.flow.description} (${b.answer.verdict}):`, ...b.answer.reasons.map((r) => `      ${r}`));
    }
    if (open.length > 0) {
      lines.push(`${open.length} undeclared flow(s) are open:`);
      for (const o of open.slice(0, 20)) lines.push(`  - ${o.answer.query}: ${openness(o.answer)}`, ...o.answer.reasons.slice(0, 3).map((r) => `      ${r}`));
      if (open.length > 20) lines.push(`  ... and ${open.length - 20} more`);
    }
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

function bullets(reasons: string[]): string {
  return reasons.map((r) => `  - ${r}`).join('\n');
}

function openness(a: ReachabilityAnswer): string {
  if (a.verdict === Verdict.REACHABLE) return 'it is reachable';
  if (a.verdict === Verdict.UNKNOWN) return 'the analyzer cannot tell (it may be open)';
  return 'part of it is open';
}
