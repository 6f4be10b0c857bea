export * from './failover-target';
export * from './failover-health-check-options';
export * from './failover-health-check';
export * from './failover-record';
