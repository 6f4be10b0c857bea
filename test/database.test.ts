// Every test file under test/database/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('database/lambda-rds-proxy-handler.test.ts', () => { require('./database/lambda-rds-proxy-handler.test'); });
describe('database/proxied-database.test.ts', () => { require('./database/proxied-database.test'); });
export {};
