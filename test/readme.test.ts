import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';

/** The README's TypeScript snippets, in order, with their info string. */
function readmeSnippets(): Array<{ info: string; code: string }> {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  return [...readme.matchAll(/```(ts[^\n]*)\n([\s\S]*?)```/g)].map((m) => ({ info: m[1], code: m[2] }));
}

test('the README\'s first app synthesizes as written, and what it says about the template holds', () => {
  // GIVEN the "Your first stack" snippet, exactly as a newcomer copies it
  const first = readmeSnippets()[0];
  expect(first.info).toBe('ts fixture=bare');
  const js = ts.transpileModule(first.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  // WHEN it runs, with the package name resolved to this checkout
  const apps: App[] = [];
  const original = App.prototype.synth;
  const spy = jest.spyOn(App.prototype, 'synth').mockImplementation(function (this: App, ...args) {
    apps.push(this);
    return original.apply(this, args);
  });
  const requireFromReadme = (id: string) => (id === 'cdk-network-patterns' ? require('../src') : require(id)); // eslint-disable-line @typescript-eslint/no-require-imports
  const module = { exports: {} as Record<string, unknown> };
  try {
    new Function('require', 'module', 'exports', js)(requireFromReadme, module, module.exports);
  } finally {
    spy.mockRestore();
  }
  // THEN one app was synthesized, with the network stack the text describes
  expect(apps).toHaveLength(1);
  const stack = apps[0].node.findChild('Network') as any;
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::NetworkAcl', 3);
  template.resourceCountIs('AWS::EC2::NatGateway', 3);
  template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { Protocol: 6, RuleAction: 'allow', Egress: false, CidrBlock: '0.0.0.0/0', PortRange: { From: 443, To: 443 } });
  template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { Protocol: 6, RuleAction: 'allow', Egress: true, CidrBlock: '0.0.0.0/0', PortRange: { From: 1024, To: 65535 } });
  template.hasResourceProperties('AWS::EC2::SecurityGroup', {
    SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }],
  });
});

test('every README TypeScript snippet is compiled by jsii-rosetta: a complete app says so with fixture=bare', () => {
  const snippets = readmeSnippets();
  expect(snippets.length).toBeGreaterThan(5);
  for (const s of snippets) {
    const hasImports = /^import /m.test(s.code);
    // The default fixture (rosetta/default.ts-fixture) brings the imports; a snippet with its own needs the bare one.
    expect(`${s.info}: ${hasImports ? 'imports' : 'no imports'}`).toBe(`${s.info}: ${s.info.includes('fixture=bare') ? 'imports' : 'no imports'}`);
  }
});
