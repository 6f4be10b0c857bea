// Every test file under test/network/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('network/dual-stack-flows.test.ts', () => { require('./network/dual-stack-flows.test'); });
describe('network/dual-stack.test.ts', () => { require('./network/dual-stack.test'); });
describe('network/flow-compile.test.ts', () => { require('./network/flow-compile.test'); });
describe('network/flow-validation.test.ts', () => { require('./network/flow-validation.test'); });
describe('network/flows.test.ts', () => { require('./network/flows.test'); });
describe('network/tiered-vpc.test.ts', () => { require('./network/tiered-vpc.test'); });
describe('network/vpc-validation.test.ts', () => { require('./network/vpc-validation.test'); });
export {};
