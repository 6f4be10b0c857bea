import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { LambdaRdsProxyStack } from '../../examples/lambda-rds-proxy';
import { NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks, Tier } from '../../src';
import { nagFindings } from '../util';
import { normalizedTemplate } from './normalize';

// Synthesizes the example once: NodejsFunction bundles the handler with the local esbuild (no Docker).
const stack = new LambdaRdsProxyStack(new App(), 'LambdaRdsProxy', { env: { region: 'us-east-1', account: '123456789012' } });
const template = Template.fromStack(stack);

describe('examples/lambda-rds-proxy', () => {
  test('the handler is bundled locally into a Node.js 24 function in the app tier', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      VpcConfig: {
        SubnetIds: stack.network.selectTierSubnets(Tier.APP).subnetIds.map((s) => stack.resolve(s)),
        SecurityGroupIds: stack.queryFunction.connections.securityGroups.map((sg) => stack.resolve(sg.securityGroupId)),
      },
      Environment: {
        Variables: {
          DB_PROXY_ENDPOINT: stack.resolve(stack.database.proxy.endpoint),
          DB_PORT: '5432',
          DB_NAME: 'app',
          DB_USER: 'dbadmin',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  test('the function may connect to the proxy as dbadmin and nothing else', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [stack.resolve(stack.queryFunction.role!.roleName)],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'rds-db:connect' })] },
    });
  });

  test('reachability: function -> proxy yes, function -> database no, proxy -> database yes, internet -> either no', () => {
    const network = NetworkAssertions.fromStack(stack);
    const fn = NetworkEndpoint.of(stack.queryFunction);
    const proxy = NetworkEndpoint.of(stack.database.proxy);
    const database = NetworkEndpoint.of(stack.database.instance);
    const postgres = ec2.Port.tcp(5432);
    network.expectReachable(fn, proxy, postgres);
    network.expectUnreachable(fn, database, postgres);
    network.expectReachable(proxy, database, postgres);
    network.expectUnreachable(NetworkEndpoint.internet(), database, postgres);
    network.expectUnreachable(NetworkEndpoint.internet(), proxy, postgres);
  });

  test('NetworkPatterns pack: no findings', () => {
    expect(nagFindings(stack, [new NetworkPatternsChecks()])).toEqual([]);
  });

  test('AwsSolutions: no unacknowledged findings', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1: no unacknowledged findings', () => {
    expect(nagFindings(stack, [new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()])).toEqual([]);
  });

  test('the function\'s logs are encrypted with a rotated customer managed key and kept a year (AWS Control Tower CT.CLOUDWATCH.PR.2)', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueryFunctionLogKey'), 'Arn'] },
    });
  });
});

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});
