export * from './well-known-ports';
export * from './ephemeral-range';
