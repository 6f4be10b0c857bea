// Every test file under test/containers/, run as one jest test file: see CONTRIBUTING.md, "How the tests are run".
/* eslint-disable @typescript-eslint/no-require-imports */
describe('containers/ecs-dynamic-port-service.test.ts', () => { require('./containers/ecs-dynamic-port-service.test'); });
describe('containers/ecs-fargate-service.test.ts', () => { require('./containers/ecs-fargate-service.test'); });
describe('containers/existing-capacity.test.ts', () => { require('./containers/existing-capacity.test'); });
describe('containers/shared-infrastructure.test.ts', () => { require('./containers/shared-infrastructure.test'); });
export {};
