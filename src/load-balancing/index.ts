export * from './i-tiered-network-load-balancer';
export * from './tiered-network-load-balancer';
export * from './nlb-listener';
export * from './nlb-target';
