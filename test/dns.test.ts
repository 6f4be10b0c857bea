// Every test file under test/dns/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('dns/failover-record.test.ts', () => { require('./dns/failover-record.test'); });
export {};
