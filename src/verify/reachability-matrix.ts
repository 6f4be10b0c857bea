import { Verdict } from './reachability-answer';

/** One cell of a `ReachabilityMatrix`. */
export interface ReachabilityMatrixEntry {
  /** The source's name. */
  readonly from: string;
  /** The destination's name. */
  readonly to: string;
  /** The port, e.g. `443` or `53/udp` (ec2.Port's own rendering). */
  readonly port: string;
  /** The verdict. */
  readonly verdict: Verdict;
  /** Whether part of the traffic may still pass although the verdict is not REACHABLE. */
  readonly partiallyOpen: boolean;
  /** The analyzer's reasons. */
  readonly reasons: string[];
}

/**
 * Which ends reach which on a set of ports, for reports (e.g. the examples' reachability tables).
 *
 * @example
 * const matrix = ReachabilityAnalyzer.fromStack(stack).matrix([ec2.Port.tcp(443), ec2.Port.tcp(5432)]);
 * console.log(matrix.toMarkdown());
 */
export class ReachabilityMatrix {
  constructor(
    /** The ends, in order. */
    public readonly ends: string[],
    /** The ports asked about. */
    public readonly ports: string[],
    /** One entry per (from, to, port). */
    public readonly entries: ReachabilityMatrixEntry[],
  ) {}

  /** The entries whose verdict is REACHABLE. */
  public get reachable(): ReachabilityMatrixEntry[] {
    return this.entries.filter((e) => e.verdict === Verdict.REACHABLE);
  }

  /**
   * A Markdown table: one row per (from, to) pair with anything other than a clean "blocked" on
   * some port, one column per port: `yes`, `no`, `partial` (blocked but part of the traffic
   * passes) or `?` (unknown). Pairs blocked on every port are summarized in a last line.
   */
  public toMarkdown(): string {
    const cell = (e: ReachabilityMatrixEntry | undefined) => !e ? '' :
      e.verdict === Verdict.REACHABLE ? 'yes' : e.verdict === Verdict.UNKNOWN ? '?' : e.partiallyOpen ? 'partial' : 'no';
    const lines = [`| from | to | ${this.ports.join(' | ')} |`, `| --- | --- | ${this.ports.map(() => '---').join(' | ')} |`];
    let closed = 0;
    for (const from of this.ends) {
      for (const to of this.ends) {
        const row = this.ports.map((p) => this.entries.find((e) => e.from === from && e.to === to && e.port === p));
        if (row.every((e) => e === undefined)) continue;
        const cells = row.map(cell);
        if (cells.every((c) => c === 'no')) {
          closed++;
          continue;
        }
        lines.push(`| ${from} | ${to} | ${cells.join(' | ')} |`);
      }
    }
    lines.push('', `${closed} other pair(s) reach each other on none of these ports.`);
    return lines.join('\n');
  }
}
