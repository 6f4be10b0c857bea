export * from './network-endpoint';
export * from './reachability-answer';
export * from './reachability-matrix';
export * from './reachability-analyzer';
export * from './network-assertions';
export * from './open-ports';
