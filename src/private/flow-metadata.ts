/**
 * The template metadata key under which a `TieredVpc` records its declared flows, on its
 * `AWS::EC2::VPC` resource, so that tools reading only the synthesized template (the `emulate`
 * command) know which openings were declared.
 */
export const FLOWS_METADATA_KEY = 'cdk-network-patterns:flows';
