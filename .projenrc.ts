import { awscdk, Component, DependencyType, javascript, JsonFile } from 'projen';

/**
 * Versions and offline-safe settings: the registries these machines reach serve npm only, so the
 * non-JavaScript targets are configured and their code generated (jsii-pacmak --code-only) in the
 * build, while building their packages (pip, Maven, dotnet, go) stays a separate task.
 */
const CDK_VERSION = '2.276.0';
const CDK_CLI_VERSION = '2.1148.1';
/**
 * The lowest aws-cdk-lib the library works with: `bash scripts/check-peer-floor.sh <version>` re-checks
 * it. 2.269.0 is the first release whose `Validations.acknowledge` accepts cdk-nag's finding ids
 * that contain `::` (e.g. `AwsSolutions-IAM4[Policy::arn:...]`, aws-cdk pull request 38787);
 * 2.257.0 (cdk-nag 3's floor) rejects them.
 */
const CDK_PEER_FLOOR = '2.269.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-network-patterns',
  description:
    'AWS networking best practice as CDK constructs: a three-tier VPC whose openings are declared flows, ' +
    'compiled into security groups and stateless NACLs, with a synth-time reachability analyzer and a cdk-nag pack.',
  author: 'cdk-network-patterns maintainers',
  authorAddress: 'maintainers@cdk-network-patterns.invalid',
  repositoryUrl: 'https://example.invalid/cdk-network-patterns.git',
  // `awscdk` is the keyword Construct Hub indexes (https://constructs.dev/contribute).
  keywords: ['awscdk', 'aws-cdk', 'cdk', 'vpc', 'nacl', 'security-group', 'nlb', 'ecs', 'rds-proxy', 'route53', 'cdk-nag'],
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  // 0.x and experimental until the API has met its first users: minor versions may break it.
  stability: 'experimental',

  cdkVersion: CDK_VERSION,
  // Dev dependencies are listed explicitly below: a pinned copy of each peer would install the
  // aws-cdk-lib peer floor for development.
  peerDependencyOptions: { pinnedDevDependency: false },
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.3',
  projenVersion: '^0.103.25',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // jsii targets (Construct Hub shows each language's install line and API from them).
  publishToPypi: { distName: 'cdk-network-patterns', module: 'cdk_network_patterns' },
  publishToMaven: {
    javaPackage: 'io.github.cdknetworkpatterns',
    mavenGroupId: 'io.github.cdk-network-patterns',
    mavenArtifactId: 'cdk-network-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkNetworkPatterns', packageId: 'CdkNetworkPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-network-patterns/cdk-network-patterns-go', packageName: 'cdknetworkpatterns' },

  // Offline-safe: no GitHub workflows, no release.
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
    `aws-cdk-lib@${CDK_VERSION}`,
    'constructs@10.8.1',
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
    // The report's diagrams are checked with Mermaid's own parser (it needs a DOM: jsdom).
    'mermaid@^11',
    'jsdom@^29', // jsdom 30+ needs Node 22 (undici 8)
    // AWS Control Tower proactive controls as cfn-guard rules: an optional check of the main job.
    '@cdklabs/cdk-validator-cfnguard@^0.0.62',
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
    // The test task itself is scripts/test.sh (below): jest --coverage --ci, beside eslint.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    // The coverage summary is enough on the console (not the per-file table).
    coverageText: false,
    jestConfig: {
      // One jest test file per folder of test/ (test/<folder>.test.ts requires that folder's files):
      // jest rebuilds its module registry and takes V8's coverage once per test file, and with
      // aws-cdk-lib and cdk-nag loaded that cost more than most files' tests (CONTRIBUTING.md).
      testMatch: ['<rootDir>/test/*.test.ts'],
      setupFiles: ['<rootDir>/test/setup.ts'],
      // One worker per core: jest's default (cores - 1) runs a single worker on a 2-core machine,
      // leaving one core idle while the main process waits; the test files are independent.
      maxWorkers: '100%',
      // Coverage of the shipped code, measured by `npm test` in CI (scripts/test.sh passes --coverage
      // when CI is set; `npm run build` in .ci/run); below the thresholds the test task fails. Off by
      // default so that the local loop and `npx jest <suite>` skip its cost.
      collectCoverage: false,
      collectCoverageFrom: ['src/**/*.ts'],
      coverageReporters: ['text-summary', 'lcov', 'cobertura', 'json-summary'],
      // A little below the figures measured on 2026-12-01 with every feature merged (statements and
      // lines 91.5 %, branches 87.0 %, functions 94.3 %; the emulator's namespace and socket code runs
      // only in the root-only test:emulate): raise them as coverage rises, never lower them to pass a change.
      coverageThreshold: { statements: 90, lines: 90, branches: 85, functions: 93 },
    },
  },
  tsJestOptions: {
    // Type-checking happens once, in the compile step (jsii + tsc --noEmit over the dev tsconfig):
    // ts-jest transpiles each file alone because the test tsconfig sets isolatedModules.
  },
  tsconfigDev: {
    // Every TypeScript file of the repository: `npm run typecheck` checks them all, and eslint's
    // type-aware rules read them through this one program (see eslintOptions).
    include: ['../src/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts', '../projenrc/**/*.ts', '../.projenrc.ts'],
    compilerOptions: { isolatedModules: true },
  },
  eslintOptions: {
    // One TypeScript program for every linted file: the project service would build one per
    // tsconfig.json it finds (src, test, examples, bench, scripts, projenrc), each loading
    // aws-cdk-lib's types again, and that program building was most of eslint's time.
    tsconfigPath: './test/tsconfig.json',
    projectService: false,
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'scripts', 'projenrc'],
    ignorePatterns: ['examples/**/lambda/**/*.js', 'cdk.out/**'],
  },
  gitignore: ['cdk.out/', '.cdk.staging/', 'bench/results/*.tmp.json', '.jsii.tabl.json'],
  npmIgnoreOptions: { ignorePatterns: ['examples/', 'bench/', 'scripts/', 'cdk.out/', '.ci/'] },
});

// examples/, bench/ and scripts/ are type-checked and linted with the tests: each gets a tsconfig
// extending the test one, so eslint's project service and ts-node find it next to the files.
for (const dir of ['examples', 'bench', 'scripts']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
  });
}

// The peer range starts at the lowest aws-cdk-lib the library is tested with (README, "Installation");
// development, the tests' snapshots and the examples use CDK_VERSION.
project.deps.removeDependency('aws-cdk-lib', DependencyType.PEER);
project.deps.addDependency(`aws-cdk-lib@^${CDK_PEER_FLOOR}`, DependencyType.PEER);

// Layering, enforced by lint over src/ (docs/architecture.md explains each layer). Data flows one
// way: ports <- model <- network <- workloads <- verify / nag / cli. A zone lists, for the files
// of one layer (target), the folders it must never import (from).
const SRC = './src';
const WORKLOADS = ['load-balancing', 'containers', 'database', 'dns'].map((d) => `${SRC}/${d}`);
// The layers that read templates or run as the package's command (emulate: packet emulation).
const TOP = ['verify', 'nag', 'cli', 'emulate'].map((d) => `${SRC}/${d}`);
// The private helpers that belong to the network layer's flow model (the rest of src/private are
// leaf utilities any layer may use).
const NETWORK_PRIVATE = ['flow-compile', 'ip-plan', 'workload-placement'].map((f) => `${SRC}/private/${f}.ts`);
// The flow compiler: the template model and the analyzer are its independent check, so never call it.
const FLOW_COMPILER = [`${SRC}/network/nacl-compiler.ts`, `${SRC}/private/flow-compile.ts`];
const zone = (target: string | string[], from: string | string[], message: string) => ({ target, from, message });
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  rules: {
    'import/no-cycle': ['error', { ignoreExternal: true }],
    'import/no-restricted-paths': ['error', {
      zones: [
        zone(`${SRC}/ports`, [`${SRC}/model`, `${SRC}/network`, ...WORKLOADS, ...TOP],
          'src/ports holds pure values (ports, ephemeral ranges): it imports no other layer.'),
        // ...and of src/private only the typed errors, which every layer throws.
        {
          target: `${SRC}/ports`,
          from: `${SRC}/private`,
          except: ['./errors.ts'],
          message: 'src/ports holds pure values (ports, ephemeral ranges): of src/private it may use only the typed errors.',
        },
        zone(`${SRC}/model`, [`${SRC}/network`, ...NETWORK_PRIVATE, ...WORKLOADS, ...TOP],
          'src/model reads synthesized templates: it must not depend on the constructs that write them (network, workloads) nor on its readers (verify, nag, cli).'),
        zone([`${SRC}/network`, ...NETWORK_PRIVATE], [...WORKLOADS, ...TOP],
          'src/network (the tiered VPC and the flow model) sits below the workloads and the analyzers: move shared code down, not the import up.'),
        zone(`${SRC}/private`, [...WORKLOADS, ...TOP],
          'src/private holds helpers shared by the lower layers: it must not import a workload, verify, nag or the command.'),
        // A workload composes on src/network, not on another workload; only containers may use
        // load-balancing (the services behind the NLB).
        ...['load-balancing', 'database', 'dns', 'containers'].map((d) => zone(`${SRC}/${d}`,
          WORKLOADS.filter((w) => w !== `${SRC}/${d}` && !(d === 'containers' && w === `${SRC}/load-balancing`)),
          `src/${d} composes on src/network, not on another workload folder (only containers may use load-balancing).`)),
        zone([`${SRC}/model`, `${SRC}/verify`, `${SRC}/nag`, `${SRC}/cli`, `${SRC}/emulate`], FLOW_COMPILER,
          'The template model, the analyzer and the nag pack are the independent check of the flow compiler: read the template, never call the compiler.'),
        zone([`${SRC}/verify`, `${SRC}/emulate`], [`${SRC}/nag`, `${SRC}/cli`],
          'verify is used by the command (src/cli) and the nag pack is independent of it: do not import them from verify.'),
        zone(`${SRC}/nag`, [`${SRC}/verify`, `${SRC}/cli`, `${SRC}/emulate`],
          'The nag pack stands on src/model alone: it must not import the analyzer or the command.'),
        zone(SRC, ['./examples', './test', './bench', './scripts', './projenrc'],
          'Shipped code (src/) never imports examples, tests, benchmarks or scripts.'),
      ],
    }],
  },
});

// Every security group rule and NACL entry is written by the flow model (TieredVpc.addFlow compiles
// a declared flow into both layers). Anywhere else in src/, these writes are lint errors.
const FLOW_MODEL_FILES = ['src/network/tiered-vpc.ts', 'src/network/nacl-compiler.ts'];
const DECLARE_A_FLOW = 'Security group rules and NACL entries are written only by the flow model: declare a flow ' +
  '(TieredVpc.addFlow, or the construct\'s allowFrom) so that both layers carry it and the analyzer can check it.';
const noDirectNetworkWrites = [
  {
    selector: 'NewExpression[callee.property.name=/^(CfnNetworkAclEntry|NetworkAclEntry|CfnSecurityGroupIngress|CfnSecurityGroupEgress)$/]',
    message: DECLARE_A_FLOW,
  },
  {
    selector: 'NewExpression[callee.name=/^(CfnNetworkAclEntry|NetworkAclEntry|CfnSecurityGroupIngress|CfnSecurityGroupEgress)$/]',
    message: DECLARE_A_FLOW,
  },
  {
    selector: 'CallExpression[callee.property.name=/^(addIngressRule|addEgressRule|addEntry)$/]',
    message: DECLARE_A_FLOW,
  },
  {
    selector: 'CallExpression[callee.object.property.name=\'connections\'][callee.property.name=/^allow/]',
    message: DECLARE_A_FLOW,
  },
  {
    selector: 'CallExpression[callee.object.name=\'connections\'][callee.property.name=/^allow/]',
    message: DECLARE_A_FLOW,
  },
  {
    selector: 'Property[key.name=/^securityGroup(Ingress|Egress)$/]',
    message: DECLARE_A_FLOW,
  },
  // aws-cdk-lib's SecurityGroup allows all outbound traffic unless told otherwise: an opening no flow declares.
  {
    selector: 'Property[key.name=/^allowAll(Ipv6)?Outbound$/][value.value=true]',
    message: 'allowAllOutbound opens every port outbound behind the flow model: keep it false and declare the flows the workload needs.',
  },
  {
    selector: 'NewExpression[callee.property.name=\'SecurityGroup\']:not(:has(Property[key.name=\'allowAllOutbound\'][value.value=false]))',
    message: 'ec2.SecurityGroup allows all outbound traffic by default (allowAllOutbound: true): pass allowAllOutbound: false and declare the flows the workload needs.',
  },
];
// Constructs refuse bad input with the library's typed errors (src/private/errors.ts: a stable code,
// the construct path, the property, the value received and the fix), never a plain Error.
const noPlainErrors = [
  {
    selector: 'NewExpression[callee.name=/^(Error|TypeError|RangeError)$/]',
    message: 'Constructs throw the typed errors of src/private/errors.ts (propError(this, prop, value, problem, fix, code)), ' +
      'which name the construct path, the property, the value received and the fix; not a plain Error.',
  },
];
const CONSTRUCT_FILES = ['network', 'load-balancing', 'containers', 'database', 'dns', 'private'].map((d) => `src/${d}/**/*.ts`);
// An override replaces (not merges) a rule's options, so each file set gets the whole list it needs.
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  excludedFiles: [...FLOW_MODEL_FILES, ...CONSTRUCT_FILES],
  rules: { 'no-restricted-syntax': ['error', ...noDirectNetworkWrites] },
});
project.eslint?.addOverride({
  files: CONSTRUCT_FILES,
  excludedFiles: FLOW_MODEL_FILES,
  rules: { 'no-restricted-syntax': ['error', ...noDirectNetworkWrites, ...noPlainErrors] },
});
project.eslint?.addOverride({
  files: FLOW_MODEL_FILES,
  rules: { 'no-restricted-syntax': ['error', ...noPlainErrors] },
});

// eslint-import-resolver-typescript 3.6.x resolves with enhanced-resolve; 4.x (projen's default)
// needs unrs-resolver too (see jestVersion).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@3.6.3');
// ts-jest 29.4 loads jest-util as an optional peer: with jest 29 it must be a direct dependency.
project.addDevDeps('jest-util@^29');
// The main job and its synthesis workers load the TypeScript through esbuild (a dev dependency
// already, for the examples' Lambda bundling): about 1 s of CPU per process instead of ts-node's 5 s.
project.addDevDeps('esbuild-register@^3.6.0');

// Environment shared by every task (TOOLCHAIN.md).
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// Unit tests: aws-cdk-lib's template validator costs ~2.4 s per process; examples keep it on.
const test = project.tasks.tryFind('test')!;
test.env('CDK_VALIDATION', 'false');
// jest and eslint side by side (scripts/test.sh): on 2 cores that saves eslint's whole run. The
// script runs the eslint task's own command, without --fix (jest reads the same files meanwhile):
// ESLINT_COMMAND, set by TestTaskEslintCommand (below) once projen has added every lint pattern.
test.reset('bash scripts/test.sh', { receiveArgs: true });
const testUpdate = project.tasks.tryFind('test:update')!;
testUpdate.env('CDK_VALIDATION', 'false');
// Rewriting some snapshots (`npm run test:update -- <file>`) measures no coverage: a threshold would fail it.
testUpdate.reset('jest --updateSnapshot --passWithNoTests --ci', { receiveArgs: true });

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

// The NetworkPatterns rule reference ships with the package, next to the pack's code (the README
// gives that path): src/ is not packaged.
project.tasks.tryFind('post-compile')!.exec('cp src/nag/RULES.md lib/nag/RULES.md', { name: 'ship the nag rule reference' });

// The version users see: 0.x until the API is stable (package.json "stability": "experimental").
project.package.addVersion('0.1.0');

// README and @example snippets compile (jsii-rosetta, strict): rosetta/*.ts-fixture supplies the
// imports and the scope, so every snippet reads as a user's own stack code.
project.package.file.addOverride('jsii.metadata.jsii.rosetta.strict', true);
// projen appends its default test patterns (which match every file under test/) to jestConfig.testMatch.
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/*.test.ts']);
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every README and @example snippet against the built assembly (strict)',
  exec: 'jsii-rosetta extract --strict --compile --fail',
});
postCompile.spawn(rosetta);

// Python, Java, .NET and Go: the code generation runs in every build, offline; building the
// packages (pip, Maven, dotnet, go toolchains and their registries) stays in `package:<language>`.
const codegen = project.addTask('package:codegen', {
  description: 'Generate the Python, Java, .NET and Go bindings (jsii-pacmak --code-only) into dist/codegen',
  exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go --outdir dist/codegen',
});
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);
packageTask.spawn(codegen);

// The main job: synthesize every example with the checks on (README quick start).
project.addTask('examples', {
  description: 'Synthesize every example into cdk.out/examples/<example>/ with cdk-nag and the analyzer on',
  exec: 'node -r esbuild-register scripts/run-examples.ts',
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
project.addTask('bench:matrix', {
  description: 'Times the analyzer\'s exact open-port matrix over every pair of a ~500-resource template',
  exec: 'ts-node -P test/tsconfig.json --transpile-only bench/exact-matrix.ts',
  receiveArgs: true,
});

/** Sets the test task's ESLINT_COMMAND after projen's own steps have added their lint patterns (.projenrc.ts). */
class TestTaskEslintCommand extends Component {
  public preSynthesize(): void {
    const args = project.eslint!.eslintTask.steps.flatMap((step) => step.execArgs ?? []).filter((a) => a !== '--fix' && a !== '$@');
    test.env('ESLINT_COMMAND', args.join(' '));
  }
}
new TestTaskEslintCommand(project);

project.synth();
