export * from './network-patterns-checks';
