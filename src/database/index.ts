export * from './proxied-database';
