// Every test file under test/nag/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('nag/agreement.test.ts', () => { require('./nag/agreement.test'); });
describe('nag/eip.test.ts', () => { require('./nag/eip.test'); });
describe('nag/lambda.test.ts', () => { require('./nag/lambda.test'); });
describe('nag/load-balancers.test.ts', () => { require('./nag/load-balancers.test'); });
describe('nag/main-job.test.ts', () => { require('./nag/main-job.test'); });
describe('nag/nacl.test.ts', () => { require('./nag/nacl.test'); });
describe('nag/nat.test.ts', () => { require('./nag/nat.test'); });
describe('nag/pack.test.ts', () => { require('./nag/pack.test'); });
describe('nag/security-groups.test.ts', () => { require('./nag/security-groups.test'); });
describe('nag/tiered-vpc.test.ts', () => { require('./nag/tiered-vpc.test'); });
export {};
