/*
 * The pack's rules, one per file in cdk-nag's shape: a function of a CfnResource returning a
 * NagRuleResult, named after its file. Internal: the public API is NetworkPatternsChecks.
 */
export { default as AlbHttpPortsOnly } from './AlbHttpPortsOnly';
export { default as ElasticIpWithinDefaultQuota } from './ElasticIpWithinDefaultQuota';
export { default as LambdaRdsThroughProxy } from './LambdaRdsThroughProxy';
export { default as NaclRestrictedAdminPorts } from './NaclRestrictedAdminPorts';
export { default as NaclReturnTrafficAllowed } from './NaclReturnTrafficAllowed';
export { default as NaclRuleNumbersSpaced } from './NaclRuleNumbersSpaced';
export { default as NatGatewayPerAz } from './NatGatewayPerAz';
export { default as NlbSecurityGroupsAtCreation } from './NlbSecurityGroupsAtCreation';
export { default as SecurityGroupPeerByReference } from './SecurityGroupPeerByReference';
export { default as SecurityGroupRestrictedAdminPorts } from './SecurityGroupRestrictedAdminPorts';
export { default as SecurityGroupRestrictedDataPorts } from './SecurityGroupRestrictedDataPorts';
