// Every test file under test/cli/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('cli/check-examples.test.ts', () => { require('./cli/check-examples.test'); });
describe('cli/check.test.ts', () => { require('./cli/check.test'); });
export {};
