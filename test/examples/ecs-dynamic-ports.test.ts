import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { normalizedTemplate } from './normalize';
import { build, CONTAINER_PORT, EcsDynamicPortsStack } from '../../examples/ecs-dynamic-ports';
import { NetworkAssertions, NetworkEndpoint, NetworkPatternsChecks } from '../../src';
import { userDataText } from '../containers/helpers';
import { nagFindings } from '../util';

const CERTIFICATE = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

/** Synthesizes the example, with or without a certificate. */
function synth(certificateArn?: string) {
  const app = new App({ context: certificateArn ? { certificateArn } : {} });
  const stack = build(app)[0] as EcsDynamicPortsStack;
  return { stack, template: Template.fromStack(stack) };
}

// Each variant synthesized once for the whole file.
const variants = new Map([[undefined, synth()], [CERTIFICATE, synth(CERTIFICATE)]]);

describe('examples/ecs-dynamic-ports', () => {
  test('six copies of a port-8080 container, bridge mode with host port 0, on 2-4 t3.small instances', () => {
    const { template } = variants.get(undefined)!;
    expect(CONTAINER_PORT).toBe(8080);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      NetworkMode: 'bridge',
      ContainerDefinitions: [Match.objectLike({
        Image: 'public.ecr.aws/nginx/nginx:stable',
        Memory: 512,
        PortMappings: [{ ContainerPort: 8080, HostPort: 0, Protocol: 'tcp' }],
        Command: ['/bin/sh', '-c', Match.stringLikeRegexp('listen.*8080;.*exec nginx')],
      })],
    });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 6 });
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2', MaxSize: '4' });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ InstanceType: 't3.small' }) });
    expect(userDataText(template)).toContain('ECS_DYNAMIC_HOST_PORT_RANGE=32768-51677');
  });

  test.each([undefined, CERTIFICATE])(
    'clean under all five packs, and reachability as declared (certificate %s)', (certificateArn) => {
      const { stack } = variants.get(certificateArn)!;
      // AwsSolutions, NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1 and the library's own pack: every finding is an error here.
      expect(nagFindings(stack, [
        new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new NetworkPatternsChecks(),
      ])).toEqual([]);
      const a = NetworkAssertions.fromStack(stack);
      const lb = NetworkEndpoint.of(stack.web.loadBalancer);
      const instances = NetworkEndpoint.of(stack.web.autoScalingGroup);
      a.expectReachable(NetworkEndpoint.internet(), lb, ec2.Port.tcp(certificateArn ? 443 : 80));
      a.expectReachable(lb, instances, ec2.Port.tcpRange(32768, 51677));
      a.expectUnreachable(NetworkEndpoint.internet(), instances, ec2.Port.tcpRange(32768, 51677));
      a.expectReachable(instances, NetworkEndpoint.internet(), ec2.Port.tcp(443));
      a.expectOnlyDeclaredFlows(stack.network);
    });
});

test('snapshot', () => {
  expect(normalizedTemplate(variants.get(undefined)!.template)).toMatchSnapshot();
});
