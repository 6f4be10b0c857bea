export * from './ports';
export * from './network';
