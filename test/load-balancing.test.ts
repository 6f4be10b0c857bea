// Every test file under test/load-balancing/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('load-balancing/dual-stack.test.ts', () => { require('./load-balancing/dual-stack.test'); });
describe('load-balancing/nlb-listener.test.ts', () => { require('./load-balancing/nlb-listener.test'); });
describe('load-balancing/tiered-network-load-balancer.test.ts', () => { require('./load-balancing/tiered-network-load-balancer.test'); });
export {};
