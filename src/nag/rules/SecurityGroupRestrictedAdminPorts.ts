import { parse } from 'path';
import { ADMIN_PORTS } from '../private/ports';
import { worldOpenPortsRule } from '../private/world-open';

/**
 * Security groups do not admit SSH (TCP and UDP 22) or RDP (TCP and UDP 3389) from every
 * address: 0.0.0.0/0, ::/0, or CIDRs that together cover them (`0.0.0.0/1` plus `128.0.0.0/1`).
 * Inline and standalone ingress rules count, port ranges and all-traffic rules that cover the
 * ports too. A rule from an unresolved CIDR that could complete the union can't be validated
 * (cdk-nag reports the rule as not validated).
 * @see https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html
 * @param node the CfnResource to check
 */
export default worldOpenPortsRule(parse(__filename).name, ADMIN_PORTS);
