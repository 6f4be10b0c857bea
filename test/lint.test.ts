// Every test file under test/lint/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('lint/architecture-rules.test.ts', () => { require('./lint/architecture-rules.test'); });
describe('lint/test-suites.test.ts', () => { require('./lint/test-suites.test'); });
export {};
