// Every test file under test/verify/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('verify/evaluator.test.ts', () => { require('./verify/evaluator.test'); });
describe('verify/exact.property.test.ts', () => { require('./verify/exact.property.test'); });
describe('verify/exact.test.ts', () => { require('./verify/exact.test'); });
describe('verify/flows.property.test.ts', () => { require('./verify/flows.property.test'); });
describe('verify/network-assertions.test.ts', () => { require('./verify/network-assertions.test'); });
describe('verify/node-types.test.ts', () => { require('./verify/node-types.test'); });
describe('verify/plain-cdk-stack.test.ts', () => { require('./verify/plain-cdk-stack.test'); });
describe('verify/templates.test.ts', () => { require('./verify/templates.test'); });
describe('verify/tiered-vpc-flows.test.ts', () => { require('./verify/tiered-vpc-flows.test'); });
export {};
