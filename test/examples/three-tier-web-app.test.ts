import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { normalizedTemplate } from './normalize';
import { build, PLACEHOLDER_CERTIFICATE_ARN, ThreeTierWebAppStack } from '../../examples/three-tier-web-app';
import { NetworkAssertions, NetworkEndpoint, WellKnownPorts } from '../../src';
import { nagFindings } from '../util';

// GIVEN the example app WHEN synthesized once
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = build(app)[0] as ThreeTierWebAppStack;
const template = Template.fromStack(stack);
const net = NetworkAssertions.fromStack(stack);
const internet = NetworkEndpoint.internet();
const alb = NetworkEndpoint.of(stack.web.loadBalancer);
const tasks = NetworkEndpoint.of(stack.web.service);
const proxy = NetworkEndpoint.of(stack.database.proxy);
const database = NetworkEndpoint.of(stack.database.instance);

test('snapshot', () => {
  expect(normalizedTemplate(template)).toMatchSnapshot();
});

test('the chain internet -> ALB -> tasks -> proxy -> database is open, return traffic included', () => {
  net.expectReachable(internet, alb, WellKnownPorts.HTTPS);
  net.expectReachable(internet, alb, WellKnownPorts.HTTP);
  net.expectReachable(alb, tasks, WellKnownPorts.HTTP_ALT);
  net.expectReachable(tasks, proxy, WellKnownPorts.POSTGRES);
  net.expectReachable(proxy, database, WellKnownPorts.POSTGRES);
  net.expectReachable(tasks, internet, WellKnownPorts.HTTPS);
  expect(net.declaredFlowVerdicts(stack.network).filter((v) => v.answer.verdict !== 'reachable')).toEqual([]);
});

test('no tier is skipped and nothing but the ALB faces the internet', () => {
  net.expectUnreachable(internet, tasks, WellKnownPorts.HTTP_ALT);
  net.expectUnreachable(internet, proxy, WellKnownPorts.POSTGRES);
  net.expectUnreachable(internet, database, WellKnownPorts.POSTGRES);
  net.expectUnreachable(alb, proxy, WellKnownPorts.POSTGRES);
  net.expectUnreachable(alb, database, WellKnownPorts.POSTGRES);
  // The tasks reach the database through the proxy only, and the proxy on its port only.
  net.expectUnreachable(tasks, database, WellKnownPorts.POSTGRES);
  net.expectUnreachable(tasks, proxy, WellKnownPorts.MYSQL);
  net.expectUnreachable(alb, tasks, WellKnownPorts.HTTPS);
});

test('no SSH anywhere: port 22 is closed to every workload, ECS Exec (Session Manager) is on', () => {
  for (const to of [alb, tasks, proxy, database]) net.expectUnreachable(internet, to, WellKnownPorts.SSH);
  net.expectUnreachable(alb, tasks, WellKnownPorts.SSH);
  template.hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
  template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
    PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['ssmmessages:CreateControlChannel', 'ssmmessages:OpenDataChannel']) })] },
  });
  template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.ssmmessages', VpcEndpointType: 'Interface' });
});

test('only the declared flows are open', () => {
  net.expectOnlyDeclaredFlows(stack.network);
});

test('the ALB ends TLS on 443 with the certificate and redirects 80 to 443', () => {
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 443,
    Protocol: 'HTTPS',
    Certificates: [{ CertificateArn: PLACEHOLDER_CERTIFICATE_ARN }],
  });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
    Port: 80,
    Protocol: 'HTTP',
    DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS', StatusCode: 'HTTP_301' }) })],
  });
  Annotations.fromStack(stack).hasWarning('/ThreeTierWebApp', Match.stringLikeRegexp('placeholder certificate'));
});

test('a certificate given as a prop replaces the placeholder, without a warning', () => {
  const arn = 'arn:aws:acm:us-east-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const other = new ThreeTierWebAppStack(new App(), 'WithCertificate', { env: { region: 'us-east-1' }, certificateArn: arn });
  Template.fromStack(other).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Certificates: [{ CertificateArn: arn }] });
  Annotations.fromStack(other).hasNoWarning('/WithCertificate', Match.stringLikeRegexp('placeholder certificate'));
});

test('the tasks know where the proxy is and may connect as the database user, with IAM only', () => {
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({
      Environment: Match.arrayWith([
        { Name: 'DB_PROXY_ENDPOINT', Value: stack.resolve(stack.database.proxyEndpoint) },
        { Name: 'DB_PORT', Value: '5432' },
        { Name: 'DB_NAME', Value: stack.database.databaseName },
        { Name: 'DB_USER', Value: stack.database.username },
      ]),
    })],
  });
  const connect = Object.values<any>(template.findResources('AWS::IAM::ManagedPolicy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => s.Action === 'rds-db:connect');
  expect(connect).toHaveLength(1);
  expect(JSON.stringify(connect[0].Resource)).toContain(`/${stack.database.username}`);
  template.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })] });
});

test('no findings from AwsSolutions and the library\'s pack', () => {
  expect(nagFindings(stack)).toEqual([]);
});

test.each([
  ['NIST 800-53 R5', new NIST80053R5Checks()],
  ['HIPAA Security', new HIPAASecurityChecks()],
  ['PCI DSS 3.2.1', new PCIDSS321Checks()],
])('no findings from the %s pack', (_name, pack) => {
  expect(nagFindings(stack, [pack])).toEqual([]);
});

