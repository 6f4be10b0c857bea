import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Linter } from 'eslint';
import { LegacyESLint } from 'eslint/use-at-your-own-risk';

/**
 * The architecture's lint rules (layers, cycles, security group and NACL writes only in the flow
 * model, typed errors in constructs), run on small sources placed at paths in src/. Only the rules
 * of the repository's .eslintrc.json overrides run, without type information, so this stays fast.
 */
const ROOT = path.join(__dirname, '..', '..');
// projen writes a comment on the first line of the JSON.
const rc = JSON.parse(fs.readFileSync(path.join(ROOT, '.eslintrc.json'), 'utf8').replace(/^\/\/.*$/m, ''));
const srcOverrides = rc.overrides.filter((o: { files: string[] }) => o.files.some((f) => f.startsWith('src/')));
const base: Linter.LegacyConfig = {
  root: true,
  parser: require.resolve(rc.parser),
  parserOptions: { ecmaVersion: 2020, sourceType: 'module' },
  plugins: ['import'],
  extends: rc.extends,
  settings: rc.settings,
};
// import/no-cycle reads the files it follows from disk: it is run on real files below, so it is left out here.
const withoutCycle = srcOverrides.map((o: { rules: Record<string, unknown> }) => ({
  ...o, rules: Object.fromEntries(Object.entries(o.rules).filter(([r]) => r !== 'import/no-cycle')),
}));
const eslint = new LegacyESLint({ cwd: ROOT, useEslintrc: false, overrideConfig: { ...base, overrides: withoutCycle } });
const cycleRule = srcOverrides.map((o: { rules: Record<string, unknown> }) => o.rules['import/no-cycle']).find((r: unknown) => r);

/** The ids of the rules that report on `code` placed at `file` (relative to the repository). */
async function rulesHit(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(fatal.map((m) => m.message).join('\n'));
  return result.messages.map((m) => m.ruleId ?? '').sort();
}

const SG_WRITES = {
  'new ec2.CfnSecurityGroupIngress': 'new ec2.CfnSecurityGroupIngress(scope, "I", { groupId: "sg", ipProtocol: "tcp" });',
  'new CfnNetworkAclEntry (named import)': 'new CfnNetworkAclEntry(scope, "E", {} as any);',
  'sg.addIngressRule': 'sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));',
  'sg.addEgressRule': 'sg.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.allTraffic());',
  'acl.addEntry': 'acl.addEntry("x", {} as any);',
  'x.connections.allowFrom': 'sg.connections.allowFrom(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));',
  'connections.allowToAnyIpv4': 'connections.allowToAnyIpv4(ec2.Port.tcp(443));',
  'a CfnSecurityGroup with inline ingress': 'new ec2.CfnSecurityGroup(scope, "G", { groupDescription: "d", securityGroupIngress: [] });',
  'a SecurityGroup with the default allowAllOutbound': 'new ec2.SecurityGroup(scope, "S", { vpc });',
  'a SecurityGroup with allowAllOutbound: true': 'new ec2.SecurityGroup(scope, "S", { vpc, allowAllOutbound: true });',
};

describe('security group rules and NACL entries only in the flow model', () => {
  test.each(Object.entries(SG_WRITES))('fails on %s in a workload, the analyzer and the nag pack', async (_, line) => {
    for (const file of ['src/database/x.ts', 'src/verify/x.ts', 'src/nag/rules/X.ts', 'src/private/x.ts']) {
      expect(await rulesHit(file, line)).toContain('no-restricted-syntax');
    }
  });

  test.each(Object.entries(SG_WRITES).filter(([k]) => !k.startsWith('a SecurityGroup')))(
    'allows %s in the flow model (TieredVpc, its NACL compiler)', async (_, line) => {
      expect(await rulesHit('src/network/tiered-vpc.ts', line)).toEqual([]);
      expect(await rulesHit('src/network/nacl-compiler.ts', line)).toEqual([]);
    });

  test('a security group with allowAllOutbound: false and the library\'s own allowClient are not writes', async () => {
    expect(await rulesHit('src/containers/x.ts', 'new ec2.SecurityGroup(scope, "S", { vpc, allowAllOutbound: false });')).toEqual([]);
    expect(await rulesHit('src/containers/x.ts', 'nlb.allowClient(workload, Tier.APP);')).toEqual([]);
  });
});

describe('typed errors in constructs', () => {
  test.each(['network', 'network/tiered-vpc', 'load-balancing', 'containers', 'database', 'dns', 'private'])(
    'fails on a plain Error in src/%s', async (where) => {
      const file = where.includes('/') ? `src/${where}.ts` : `src/${where}/x.ts`;
      expect(await rulesHit(file, 'throw new Error("invalid");')).toEqual(['no-restricted-syntax']);
    });

  test('allows propError in a construct', async () => {
    expect(await rulesHit('src/dns/x.ts', 'throw propError(this, "ttl", 0, "is zero", "Give 60 or more.");')).toEqual([]);
  });
});

describe('layers', () => {
  const cases: Array<[string, string, string]> = [
    ['src/model/x.ts', '../network/tier', 'the template model on the network'],
    ['src/model/x.ts', '../private/flow-compile', 'the template model on the flow compiler'],
    ['src/ports/x.ts', '../network/tier', 'the ports on the network'],
    ['src/network/x.ts', '../load-balancing/nlb-target', 'the network on a workload'],
    ['src/private/x.ts', '../verify/open-ports', 'a shared helper on the analyzer'],
    ['src/dns/x.ts', '../database/proxied-database', 'one workload on another'],
    ['src/load-balancing/x.ts', '../containers/ecs-service-props', 'load-balancing on containers'],
    ['src/nag/x.ts', '../verify/open-ports', 'the nag pack on the analyzer'],
    ['src/verify/x.ts', '../network/nacl-compiler', 'the analyzer on the NACL compiler'],
    ['src/verify/x.ts', '../cli/check', 'the analyzer on the command'],
    ['src/network/x.ts', '../../test/util', 'shipped code on a test'],
  ];
  test.each(cases)('fails when %s imports %s (%s)', async (file, from) => {
    expect(await rulesHit(file, `import * as m from '${from}';\nexport const x = m;\n`)).toContain('import/no-restricted-paths');
  });

  test.each([
    ['src/containers/x.ts', '../load-balancing/tiered-network-load-balancer'],
    ['src/verify/x.ts', '../model/template-model'],
    ['src/nag/x.ts', '../model/addresses'],
    ['src/network/x.ts', '../ports/ephemeral-range'],
    ['src/cli/x.ts', '../verify/reachability-analyzer'],
    ['src/model/x.ts', '../private/database-ports'],
  ])('allows %s to import %s (downwards)', async (file, from) => {
    expect(await rulesHit(file, `import * as m from '${from}';\nexport const x = m;\n`)).toEqual([]);
  });

  test('src/ lints import cycles as errors', async () => {
    expect(cycleRule).toEqual(['error', expect.anything()]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycle-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), 'import { b } from \'./b\';\nexport const a = b + 1;\n');
      fs.writeFileSync(path.join(dir, 'b.ts'), 'import { a } from \'./a\';\nexport const b = a + 1;\n');
      fs.writeFileSync(path.join(dir, 'c.ts'), 'import { b } from \'./b\';\nexport const c = b;\n');
      const cycles = new LegacyESLint({
        cwd: dir, resolvePluginsRelativeTo: ROOT, useEslintrc: false, overrideConfig: { ...base, rules: { 'import/no-cycle': cycleRule } },
      });
      const results = await cycles.lintFiles(['a.ts', 'b.ts', 'c.ts']);
      const byFile = Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => m.ruleId)]));
      expect(byFile).toEqual({ 'a.ts': ['import/no-cycle'], 'b.ts': ['import/no-cycle'], 'c.ts': [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
