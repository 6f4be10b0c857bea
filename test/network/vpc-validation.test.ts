import { App, ContextProvider, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cxschema from 'aws-cdk-lib/cloud-assembly-schema';
import { TieredVpc, TieredVpcProps } from '../../src';
import { NetworkPatternsError } from '../../src/private/errors';
import { TEST_AZS, testStack } from '../util';

const ENV = { account: '123456789012', region: 'us-east-1' };
const SIX_AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];

function errorOf(fn: () => void): NetworkPatternsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkPatternsError);
    return e as NetworkPatternsError;
  }
  throw new Error('expected an error');
}

function warningsOf(stack: Stack, id: string) {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(id));
}

/** A stack with an env, synthesized as the CDK CLI does: without the AZ context first, then with the looked-up AZs. */
function cliPass(props: TieredVpcProps, lookedUp?: string[]) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: ENV });
  if (lookedUp) {
    const { key } = ContextProvider.getKey(stack, { provider: cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER });
    stack.node.setContext(key, lookedUp);
  }
  const net = new TieredVpc(stack, 'Net', props);
  return { app, stack, net };
}

describe('availability zones', () => {
  test('fails on a Region name given as an AZ', () => {
    const e = errorOf(() => new TieredVpc(testStack(), 'Net', { availabilityZones: ['us-east-1', 'us-east-1b'] }));
    expect(e.code).toBe('VpcAvailabilityZoneInvalid');
    expect(e.message).toMatch(/^Test\/Net: availabilityZones names a Region, not an availability zone, got 'us-east-1'\. Name the Region's AZs, e\.g\. us-east-1a/);
  });

  test('fails on AZs of another Region than the stack\'s', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const e = errorOf(() => new TieredVpc(stack, 'Net', { availabilityZones: ['eu-west-1a', 'eu-west-1b'] }));
    expect(e.code).toBe('VpcAvailabilityZoneInvalid');
    expect(e.message).toMatch(/availabilityZones is in Region eu-west-1, but the stack deploys to us-east-1, got 'eu-west-1a'/);
  });

  test('accepts AZs of the stack\'s Region, including a Local Zone', () => {
    const stack = new Stack(new App(), 'Test', { env: { ...ENV, region: 'us-west-2' } });
    const net = new TieredVpc(stack, 'Net', { availabilityZones: ['us-west-2a', 'us-west-2-lax-1a'] });
    expect(net.availabilityZones).toEqual(['us-west-2a', 'us-west-2-lax-1a']);
  });

  test('fails on AZs of two Regions in an environment-agnostic stack; accepts one Region\'s', () => {
    const e = errorOf(() => new TieredVpc(testStack(), 'Net', { availabilityZones: ['us-east-1a', 'us-west-2b'] }));
    expect(e.message).toMatch(/mixes the Regions us-east-1, us-west-2/);
    expect(new TieredVpc(testStack(), 'Net', { availabilityZones: ['eu-central-1a', 'eu-central-1b'] }).availabilityZones).toHaveLength(2);
  });

  test.each([['use1-az1'], ['a'], ['US-EAST-1A']])('fails on %s, which is no AZ name', (az) => {
    const e = errorOf(() => new TieredVpc(testStack(), 'Net', { availabilityZones: [az, 'us-east-1b'] }));
    expect(e.code).toBe('VpcAvailabilityZoneInvalid');
  });

  test('maxAzs 4 with an env: the CLI\'s first pass (placeholder AZs) synthesizes and asks for the lookup', () => {
    const { app, net } = cliPass({ maxAzs: 4 });
    expect(net.availabilityZones).toHaveLength(4);
    const assembly = app.synth();
    expect(assembly.manifest.missing?.map((m) => m.provider)).toContain(cxschema.ContextProvider.AVAILABILITY_ZONE_PROVIDER);
  });

  test('maxAzs 4 with an env: the second pass uses the first 4 of the Region\'s real AZs', () => {
    const { stack, net } = cliPass({ maxAzs: 4 }, SIX_AZS);
    expect(net.availabilityZones).toEqual(SIX_AZS.slice(0, 4));
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 4);
  });

  test('maxAzs 4 with an env whose Region has 3 AZs: refused in the second pass', () => {
    const e = errorOf(() => cliPass({ maxAzs: 4 }, SIX_AZS.slice(0, 3)));
    expect(e.code).toBe('VpcMaxAzsInvalid');
    expect(e.message).toMatch(/maxAzs must not exceed the stack's 3 AZs \(us-east-1a, us-east-1b, us-east-1c\), got 4/);
  });

  test('maxAzs 3 with an env: both passes agree on 3', () => {
    expect(cliPass({ maxAzs: 3 }).net.availabilityZones).toHaveLength(3);
    expect(cliPass({ maxAzs: 3 }, SIX_AZS).net.availabilityZones).toEqual(SIX_AZS.slice(0, 3));
  });

  test('an environment-agnostic stack gets 2 AZs: warned', () => {
    const stack = testStack();
    const net = new TieredVpc(stack, 'Net');
    expect(net.availabilityZones).toHaveLength(2);
    const found = warningsOf(stack, 'twoAzsEnvironmentAgnostic');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(/environment-agnostic.*spans 2, not 3.*maxAzs: 2/);
  });

  test.each<[string, TieredVpcProps]>([
    ['maxAzs: 2 chosen explicitly', { maxAzs: 2 }],
    ['availabilityZones given', { availabilityZones: TEST_AZS }],
  ])('no AZ warning with %s', (_, props) => {
    const stack = testStack();
    new TieredVpc(stack, 'Net', props);
    expect(warningsOf(stack, 'twoAzsEnvironmentAgnostic')).toHaveLength(0);
  });

  test('no AZ warning with an env', () => {
    const { stack } = cliPass({}, SIX_AZS);
    expect(warningsOf(stack, 'twoAzsEnvironmentAgnostic')).toHaveLength(0);
  });
});

describe('VPC CIDR', () => {
  test.each([['11.0.0.0/16'], ['8.8.0.0/16'], ['172.32.0.0/16']])('a public CIDR %s is warned', (cidr) => {
    const stack = testStack();
    new TieredVpc(stack, 'Net', { cidr, availabilityZones: TEST_AZS });
    const found = warningsOf(stack, 'publicVpcCidr');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(new RegExp(`The VPC CIDR ${cidr.replace(/[./]/g, '\\$&')} is not a private range \\(RFC 1918`));
  });

  test.each([['10.0.0.0/16'], ['172.16.0.0/16'], ['172.31.0.0/16'], ['192.168.0.0/16'], ['100.64.0.0/16']])('a private CIDR %s is not', (cidr) => {
    const stack = testStack();
    new TieredVpc(stack, 'Net', { cidr, availabilityZones: TEST_AZS });
    expect(warningsOf(stack, 'publicVpcCidr')).toHaveLength(0);
  });
});
