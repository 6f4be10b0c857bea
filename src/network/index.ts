export { Tier } from './tier';
export * from './ip-plan';
export * from './client-options';
export * from './flow-endpoint';
export * from './declared-flow';
export * from './tiered-vpc';
