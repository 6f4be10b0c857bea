import { EphemeralRange } from '../ports/ephemeral-range';

/**
 * Options of a workload admitted as a client of a construct (`allowClient`,
 * `allowLoadBalancerClient`): the flows that admit it are declared with them.
 */
export interface ClientOptions {
  /**
   * The ephemeral range the client opens connections from; the NACL return entries admit exactly
   * this range (NACLs are stateless: the reply to a connection needs its own entry).
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html
   * @default EphemeralRange.ANY_CLIENT (1024-65535)
   */
  readonly ephemeralRange?: EphemeralRange;
  /**
   * A name for the client in flow descriptions, reports and error messages.
   * @default - the client's construct path
   */
  readonly name?: string;
}
