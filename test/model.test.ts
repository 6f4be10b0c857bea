// Every test file under test/model/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('model/addresses.test.ts', () => { require('./model/addresses.test'); });
export {};
