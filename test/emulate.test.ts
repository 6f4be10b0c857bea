// Every test file under test/emulate/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('emulate/cli.test.ts', () => { require('./emulate/cli.test'); });
describe('emulate/nft.test.ts', () => { require('./emulate/nft.test'); });
describe('emulate/plan.test.ts', () => { require('./emulate/plan.test'); });
describe('emulate/ports.test.ts', () => { require('./emulate/ports.test'); });
export {};
