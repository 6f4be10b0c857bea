// Every test file under test/private/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('private/control-tower.test.ts', () => { require('./private/control-tower.test'); });
export {};
