import { Token } from 'aws-cdk-lib';
import { Port } from 'aws-cdk-lib/aws-ec2';

/** A resolved TCP or UDP port range. */
export interface PortSpec {
  readonly protocol: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
}

/** Why a port can't be used in a flow, or undefined when it can. */
export function portProblem(port: Port): string | undefined {
  const json = port.toRuleJson();
  const protocol = String(json.ipProtocol);
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return `must be a TCP or UDP port or range (protocol ${protocol} has no ports a flow can name)`;
  }
  const from = json.fromPort;
  const to = json.toPort;
  if (Token.isUnresolved(from) || Token.isUnresolved(to)) {
    return 'must be a concrete port number, not a token, so that NACL entries can be compiled at synth';
  }
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 65535 || from > 65535 || to < 0) {
    return 'must lie within 0-65535';
  }
  if (from > to) return `is an inverted range (${from} > ${to})`;
  return undefined;
}

/** Converts an `ec2.Port` (checked with `portProblem`) into a PortSpec. */
export function toPortSpec(port: Port): PortSpec {
  const json = port.toRuleJson();
  return { protocol: json.ipProtocol, from: json.fromPort, to: json.toPort };
}

/** `tcp 443` or `tcp 1024-65535`. */
export function describePort(p: PortSpec): string {
  return `${p.protocol} ${p.from === p.to ? p.from : `${p.from}-${p.to}`}`;
}

/** True when the range includes `port`. */
export function includesPort(p: PortSpec, port: number): boolean {
  return p.from <= port && port <= p.to;
}
