// Every test file under test/scripts/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('scripts/cfn-lint.test.ts', () => { require('./scripts/cfn-lint.test'); });
describe('scripts/diagram.test.ts', () => { require('./scripts/diagram.test'); });
describe('scripts/emulation-results.test.ts', () => { require('./scripts/emulation-results.test'); });
describe('scripts/guard.test.ts', () => { require('./scripts/guard.test'); });
describe('scripts/report.test.ts', () => { require('./scripts/report.test'); });
describe('scripts/run-examples.test.ts', () => { require('./scripts/run-examples.test'); });
export {};
