/**
 * Scenario: a partner sends data to your Kafka brokers over TCP 9092 and must allowlist fixed
 * addresses in its corporate firewall. An internet-facing Network Load Balancer in the public
 * tier holds one Elastic IP per AZ (the addresses the partner allowlists, printed as stack
 * outputs) and admits the partner's range only; the brokers, an auto scaling group in the app
 * tier, admit only the load balancer's security group and reach nothing but each other (KRaft
 * controller and replication on 9093) and the Session Manager endpoints: no NAT gateway, no SSH,
 * IMDSv2 only.
 *
 *   partner 203.0.113.0/24 --9092--> NLB (public tier, 3 static IPs) --9092--> brokers (app tier)
 *   brokers <--9093--> brokers;  brokers --443--> ssm / ssmmessages / ec2messages endpoints
 *
 * Practices: a partner that allowlists fixed addresses and sends raw TCP on 9092 needs a Network
 * Load Balancer: an Application Load Balancer speaks only HTTP and HTTPS and has no fixed
 * addresses, while an NLB forwards any TCP port and, internet-facing, takes one Elastic IP per
 * AZ (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/introduction.html).
 * Security groups that reference security groups for the tiers: the brokers' rule names the load
 * balancer's group, not an address range
 * (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). NACLs are
 * stateless, so each request entry has its reply entry on the client's ephemeral ports
 * (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html). No SSH anywhere:
 * Session Manager opens a shell with no inbound port, here through interface endpoints
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html).
 *
 * With client IP preservation (on for instance targets) the brokers see the partner's own
 * address: the app tier's NACL admits the partner's range on 9092 (and answers it), while the
 * brokers' security group still admits only the load balancer's group: the internet can't reach
 * a broker directly. Kafka's `connections.max.idle.ms` is 9 minutes, longer than the NLB's
 * default TCP idle timeout of 350 s, so the listener's idle timeout is raised to 10 minutes.
 *
 * The partner's data is encrypted end to end: the brokers' 9092 listener is Kafka's SSL listener
 * (`listeners=SSL://:9092` in server.properties, with the brokers' certificates), and the NLB's
 * TCP listener passes TLS through (`targetsTerminateTls`), so the partner's client verifies the
 * brokers' certificates and the load balancer never holds a key.
 *
 * Kafka clients connect to the address each broker advertises. With several brokers behind one
 * listener, advertise the NLB's DNS name with a distinct port per broker (one `addListener` and
 * target group per broker), or run a single bootstrap broker per listener; this example shows the
 * network side: the addresses, the ports, the security groups and the NACLs. Bake Kafka into the
 * brokers' AMI: they have no route to the internet.
 *
 * Before deploying: replace PARTNER_CIDR with the partner's egress range. The stack allocates 3
 * Elastic IPs (within the default Regional quota of 5: no NAT gateway is needed).
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/kafka-nlb.ts"
 * Deploy (us-east-1):
 *   npx cdk bootstrap && npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/kafka-nlb.ts"
 * Connect to a broker without SSH:
 *   aws ssm start-session --target <instance id>
 * Tear down: the NLB has deletion protection (its static IPs are in the partner's allowlist); turn
 * it off first (`aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> --attributes
 * Key=deletion_protection.enabled,Value=false`), then `cdk destroy`.
 */
import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  EphemeralRange, FlowEndpoint, NatGatewayMode, NlbTarget, Tier, TieredNetworkLoadBalancer, TieredVpc, WellKnownPorts,
} from '../src';

/** The partner's egress range (documentation range: replace it with the real one). */
export const PARTNER_CIDR = '203.0.113.0/24';

/** Kafka's controller and replication listener between brokers (KRaft). */
const KAFKA_INTERNAL = ec2.Port.tcp(9093);

export class KafkaNlbStack extends Stack {
  public readonly network: TieredVpc;
  public readonly brokers: autoscaling.AutoScalingGroup;
  public readonly loadBalancer: TieredNetworkLoadBalancer;
  private brokerSecurityGroup!: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    this.network = new TieredVpc(this, 'Network', {
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      // The brokers reach nothing on the internet: no NAT gateway (and no Elastic IP for one).
      natGatewayMode: NatGatewayMode.NONE,
      sessionManagerEndpoints: true,
    });
    const net = this.network;

    this.brokers = this.createBrokers(net);

    this.loadBalancer = new TieredNetworkLoadBalancer(this, 'PartnerNlb', {
      network: net,
      internetFacing: true,
      clientCidrs: [PARTNER_CIDR],
      staticIpOutputs: true,
    });
    this.loadBalancer.addListener('Kafka', {
      port: WellKnownPorts.KAFKA.toRuleJson().fromPort,
      targets: [NlbTarget.autoScalingGroup(this.brokers)],
      // TLS passes through to the brokers' SSL listener: encrypted end to end, no key on the load balancer.
      targetsTerminateTls: true,
      tcpIdleTimeout: Duration.minutes(10),
      healthCheck: { interval: Duration.seconds(10), healthyThresholdCount: 3, unhealthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(120),
    });

    // Brokers talk to each other (controller quorum, replication) and to Session Manager only.
    // The client end is the brokers' security group itself: the same group on both ends of one
    // Connections object would get the ingress rule but not the egress one (aws-cdk-lib's
    // allowFrom skips the second half for a self-reference).
    net.addFlow(FlowEndpoint.workload(this.brokerSecurityGroup, { tier: Tier.APP, ephemeralRange: EphemeralRange.LINUX }),
      FlowEndpoint.workload(this.brokers, { tier: Tier.APP }), KAFKA_INTERNAL, { description: 'broker <-> broker (KRaft controller, replication)' });
    net.allowInterfaceEndpoints(this.brokers, Tier.APP);
  }

  private createBrokers(net: TieredVpc): autoscaling.AutoScalingGroup {
    const securityGroup = this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSg', {
      vpc: net.vpc,
      allowAllOutbound: false,
      description: 'Kafka brokers (app tier): admit the partner NLB on 9092 and each other on 9093; reach only the SSM endpoints',
    });
    const role = new iam.Role(this, 'BrokerRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
      description: 'Kafka brokers: Session Manager only',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason: 'AmazonSSMManagedInstanceCore is the minimum AWS maintains for Session Manager (the replacement for SSH: a shell with no inbound port open); ' +
        'a hand-copied policy would drift from what the SSM agent needs.',
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'BrokerTemplate', {
      instanceType: new ec2.InstanceType('m7i.large'),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      securityGroup,
      role,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
        { deviceName: '/dev/xvdb', volume: ec2.BlockDeviceVolume.ebs(200, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });
    const events = new sns.Topic(this, 'BrokerScalingEvents', {
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    const brokers = new autoscaling.AutoScalingGroup(this, 'Brokers', {
      vpc: net.vpc,
      vpcSubnets: net.tierSubnets(Tier.APP),
      launchTemplate,
      minCapacity: 3,
      maxCapacity: 3,
      cooldown: Duration.minutes(5),
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
      notifications: [{ topic: events }],
    });
    Validations.of(brokers).acknowledge(
      {
        id: 'cdk-validator-cfnguard::autoscaling_multiple_az_check',
        reason: '[CT.AUTOSCALING.PR.1] The brokers span every AZ of the VPC: the group launches into the app tier\'s subnets, one per AZ ' +
          '(VPCZoneIdentifier). The control reads only the AvailabilityZones property, which a group in a VPC does not need.',
      },
      {
        id: 'cdk-validator-cfnguard::autoscaling_mixed_instances_policy_multiple_instance_types_check',
        reason: '[CT.AUTOSCALING.PR.6] Kafka brokers are sized alike (partitions are spread evenly): one instance type keeps ' +
          'every broker\'s throughput and storage the same.',
      },
    );
    return brokers;
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new KafkaNlbStack(app, 'KafkaNlb', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
