export * from './ports';
export * from './network';
export * from './verify';
export * from './nag';
export * from './load-balancing';
export * from './containers';
export * from './database';
export * from './dns';
