import { awscdk, javascript, JsonFile } from 'projen';

/**
 * Versions and offline-safe settings follow ../shared/design/TOOLCHAIN.md.
 */
const CDK_VERSION = '2.276.0';
const CDK_CLI_VERSION = '2.1148.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-network-patterns',
  description:
    'AWS networking best practice as CDK constructs: a three-tier VPC whose openings are declared flows, ' +
    'compiled into security groups and stateless NACLs, with a synth-time reachability analyzer and a cdk-nag pack.',
  author: 'cdk-network-patterns maintainers',
  authorAddress: 'maintainers@cdk-network-patterns.invalid',
  repositoryUrl: 'https://example.invalid/cdk-network-patterns.git',
  keywords: ['cdk', 'vpc', 'nacl', 'security-group', 'nlb', 'ecs', 'rds-proxy', 'route53', 'cdk-nag'],
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',

  cdkVersion: CDK_VERSION,
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',
  projenVersion: '^0.103.25',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // Offline-safe: no GitHub workflows, no release, no non-JS packaging.
  github: false,
  release: false,
  docgen: true,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  // The package's command (`check`, `emulate`): src/cli/main.ts dispatches to one module per command.
  bin: { 'cdk-network-patterns': 'lib/cli/main.js' },

  peerDeps: ['cdk-nag@^3.0.2'],
  // `check --expect flows.yaml` and CloudFormation templates written in YAML (with the short-form
  // intrinsic tags) are read with `yaml`; jsii requires a library's runtime dependencies bundled.
  bundledDeps: ['yaml@^2'],
  devDeps: [
    `aws-cdk@${CDK_CLI_VERSION}`,
    'cdk-nag@^3.0.2',
    'ts-node@^10.9.2',
    'fast-check@^4.3.0',
    'esbuild@^0.25.0',
    'jsii-docgen@^10.5.0',
    '@types/node@^20',
    // Bundled into the lambda-rds-proxy example's handler by esbuild (IAM auth token + PostgreSQL client).
    '@aws-sdk/rds-signer@^3',
    'pg@^8',
    '@types/pg@^8',
    '@types/aws-lambda@^8',
    // The SARIF 2.1.0 JSON schema (and a jest matcher validating against it with ajv): the
    // `check` command's SARIF output is tested against it.
    '@microsoft/jest-sarif@1.0.0-beta.0',
  ],

  jestOptions: {
    // jest 30's resolver (unrs-resolver) has platform bindings that the registry these machines
    // reach doesn't serve, so package-lock.json lacks them and \`npm ci\` refuses it; jest 29
    // (which ts-jest 29 supports) resolves without them.
    jestVersion: '^29',
    // Snapshots are checked, never rewritten, by the test task (`--ci`); `test:update` rewrites them.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      collectCoverage: false,
    },
  },
  tsJestOptions: {
    // Type-checking happens once, in the compile step (jsii + tsc --noEmit over the dev tsconfig):
    // ts-jest transpiles each file alone because the test tsconfig sets isolatedModules.
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'],
    compilerOptions: { isolatedModules: true },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts', 'projenrc'],
    ignorePatterns: ['examples/**/lambda/**/*.js', 'cdk.out/**'],
  },
  gitignore: ['cdk.out/', '.cdk.staging/', 'bench/results/*.tmp.json'],
  npmIgnoreOptions: { ignorePatterns: ['examples/', 'bench/', 'scripts/', 'cdk.out/', '.ci/'] },
});

// examples/, bench/ and scripts/ are type-checked and linted with the tests: each gets a tsconfig
// extending the test one, so eslint's project service and ts-node find it next to the files.
for (const dir of ['examples', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
  });
}

// eslint-import-resolver-typescript 3.6.x resolves with enhanced-resolve; 4.x (projen's default)
// needs unrs-resolver too (see jestVersion).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@3.6.3');
// ts-jest 29.4 loads jest-util as an optional peer: with jest 29 it must be a direct dependency.
project.addDevDeps('jest-util@^29');

// Environment shared by every task (TOOLCHAIN.md).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Unit tests: aws-cdk-lib's template validator costs ~2.4 s per process; examples keep it on.
const test = project.tasks.tryFind('test')!;
test.env('CDK_VALIDATION', 'false');
project.tasks.tryFind('test:update')?.env('CDK_VALIDATION', 'false');

// Type-check tests, examples, benchmarks and scripts once, after jsii has checked src/.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src, test, examples, bench and scripts (jest runs with isolatedModules)',
  exec: 'tsc --noEmit -p test/tsconfig.json',
});
const postCompile = project.tasks.tryFind('post-compile')!;
postCompile.spawn(typecheck);
// Every public type and member documented, every optional prop with @default, every construct with @example.
postCompile.exec('ts-node -P test/tsconfig.json --transpile-only scripts/check-docs.ts', { name: 'public API documented' });
// The build fails in CI when the committed API.md is stale or missing.
postCompile.exec('bash scripts/check-api-md.sh', { name: 'API.md is committed and up to date' });

// The main job: synthesize every example with the checks on (README quick start).
project.addTask('examples', {
  description: 'Synthesize every example into cdk.out/examples/<example>/ with cdk-nag and the analyzer on',
  exec: 'ts-node -P test/tsconfig.json --transpile-only scripts/run-examples.ts',
  receiveArgs: true,
});

// The packet-level emulation's tests need root (network namespaces): their own jest run, never part
// of `npm test`, run by CI (as root) after the main job. They refuse, loudly, without root.
project.addTask('test:emulate', {
  description: 'Packet-level emulation (root): hand-made templates and the analyzer-vs-packets differential test on every example',
  exec: 'jest --ci --runInBand --testMatch "<rootDir>/test/emulate/**/*.root-test.ts"',
  env: { CDK_VALIDATION: 'false' },
});

// How long the emulation of one example takes (build + probe), on this machine.
project.addTask('bench:emulate', {
  description: 'Times the emulation of one example (root): namespaces built and every probe sent',
  exec: 'ts-node -P test/tsconfig.json --transpile-only bench/emulate.ts',
  receiveArgs: true,
});

// Benchmarks (bench/README.md).
project.addTask('bench', {
  description: 'Synth-time and scale benchmarks; prints a table and writes bench/results/*.json',
  exec: 'ts-node -P test/tsconfig.json --transpile-only bench/run.ts',
  receiveArgs: true,
});

project.synth();
