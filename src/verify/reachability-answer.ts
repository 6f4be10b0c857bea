/** The analyzer's verdict. */
export enum Verdict {
  /** Every path the traffic could take passes routing, security groups and NACLs in both directions. */
  REACHABLE = 'reachable',
  /** At least one path is blocked; the reasons name the layer and the rule that blocks or is missing. */
  BLOCKED = 'blocked',
  /** The template doesn't say (parameters, imports, prefix lists, groups defined elsewhere); the reasons say what is missing. */
  UNKNOWN = 'unknown',
}

/** The answer to "can `from` reach `to` on this port?". */
export interface ReachabilityAnswer {
  /** The question, e.g. `Stack/App -> Stack/Db on tcp 5432`. */
  readonly query: string;
  /** The verdict. */
  readonly verdict: Verdict;
  /**
   * Why: for BLOCKED, one line per distinct blocking layer (`blocked: NACL ... has no allow for ...`) with the
   * (source subnet, destination subnet) pair it blocks; for UNKNOWN, what can't be resolved; for REACHABLE, a summary.
   */
  readonly reasons: string[];
  /** Advisories that don't change the verdict, e.g. a NAT gateway in another AZ. */
  readonly warnings: string[];
  /**
   * True when the verdict is not REACHABLE but some of the traffic may still get through: some subnet
   * pairs pass, a layer admits part of the ports or addresses, or a layer is unknown.
   * `expectUnreachable` fails on it. (Each layer is judged on its own, so this can over-report.)
   */
  readonly partiallyOpen: boolean;
}
