// Every test file under test/examples/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('examples/collaborative-editor.test.ts', () => { require('./examples/collaborative-editor.test'); });
describe('examples/dns-failover.test.ts', () => { require('./examples/dns-failover.test'); });
describe('examples/dual-stack-web-app.test.ts', () => { require('./examples/dual-stack-web-app.test'); });
describe('examples/ecs-dynamic-ports.test.ts', () => { require('./examples/ecs-dynamic-ports.test'); });
describe('examples/kafka-nlb.test.ts', () => { require('./examples/kafka-nlb.test'); });
describe('examples/lambda-rds-proxy.test.ts', () => { require('./examples/lambda-rds-proxy.test'); });
describe('examples/three-tier-vpc.test.ts', () => { require('./examples/three-tier-vpc.test'); });
describe('examples/three-tier-web-app.test.ts', () => { require('./examples/three-tier-web-app.test'); });
export {};
