/**
 * Scenario: a Lambda function querying PostgreSQL through RDS Proxy, with the security group
 * chain declared as flows and IAM auth wired:
 *
 *   function (app tier) --5432, TLS, IAM token--> RDS Proxy (data tier) --5432--> PostgreSQL (data tier, Multi-AZ)
 *   function --443--> AWS APIs (through the NAT gateway in its own AZ)
 *   rotation function (app tier) --5432--> PostgreSQL; --443--> Secrets Manager (through the NAT gateway)
 *
 * and nothing else: the function has no path to the database itself, and the internet reaches
 * neither the proxy nor the database.
 *
 * Practices: a Lambda function reaches RDS through RDS Proxy. Each concurrent invocation runs in
 * its own execution environment and may open its own database connection, so a burst of
 * invocations would become a burst of connections; the proxy pools and reuses them, and queues
 * what the pool cannot serve (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).
 * Security groups chain function -> proxy -> database on the database port, each rule naming the
 * previous group (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
 * NACLs are stateless, so the proxy's replies go back on the function's ephemeral ports, which
 * for Lambda are 1024-65535 (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
 * Least privilege: `rds-db:connect` on this proxy and user only
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html).
 *
 * The handler (examples/lambda-rds-proxy/handler.ts) signs an IAM auth token with
 * @aws-sdk/rds-signer, connects with pg over verified TLS and runs `SELECT 1 ...`. It is bundled
 * by esbuild from node_modules at synth time (no Docker).
 *
 * Synthesize (no AWS credentials needed):
 *   npx cdk synth --app "npx ts-node -P test/tsconfig.json examples/lambda-rds-proxy.ts"
 * Deploy (us-east-1), then invoke:
 *   npx cdk bootstrap && npx cdk deploy --app "npx ts-node -P test/tsconfig.json examples/lambda-rds-proxy.ts"
 *   aws lambda invoke --function-name <LambdaRdsProxy.QueryFunctionName output> /dev/stdout
 * Tear down: the database has deletion protection (and a final snapshot); turn it off first
 * (`aws rds modify-db-instance --db-instance-identifier <id> --no-deletion-protection`), then `cdk destroy`.
 */
import * as path from 'path';
import { App, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ProxiedDatabase, Tier, TieredVpc } from '../src';

export class LambdaRdsProxyStack extends Stack {
  public readonly network: TieredVpc;
  public readonly database: ProxiedDatabase;
  public readonly queryFunction: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);

    this.network = new TieredVpc(this, 'Network', { availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
    const vpc = this.network.vpc;

    // PostgreSQL 17, Multi-AZ, encrypted, deletion protection, rotated credentials, TLS forced;
    // RDS Proxy with TLS and IAM auth required, across the three AZs of the data tier.
    this.database = new ProxiedDatabase(this, 'Database', { network: this.network });

    // A Lambda function's VPC configuration is fixed at creation: the app tier, and a security
    // group with no default egress, so its egress is exactly the flows connectFunction declares.
    const securityGroup = new ec2.SecurityGroup(this, 'QueryFunctionSg', {
      vpc, allowAllOutbound: false, description: 'The query function: reaches the RDS Proxy and AWS APIs only',
    });
    const role = new iam.Role(this, 'QueryFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The query function: ENIs in the VPC, its logs, rds-db:connect on the proxy',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'AWS maintains this policy for exactly what Lambda does for a function in a VPC (create, describe and delete its ENIs, ' +
        'write its logs); the EC2 describe actions it needs take no resource-level permissions, so an inline copy would still need ' +
        'Resource "*" (an IAM5 finding instead) and would not follow the service\'s changes.',
    });

    this.queryFunction = new nodejs.NodejsFunction(this, 'QueryFunction', {
      entry: path.join(__dirname, 'lambda-rds-proxy', 'handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role,
      vpc,
      vpcSubnets: this.network.tierSubnets(Tier.APP),
      securityGroups: [securityGroup],
      logGroup: new logs.LogGroup(this, 'QueryFunctionLogs', {
        retention: logs.RetentionDays.ONE_YEAR,
        encryptionKey: this.logEncryptionKey(),
      }),
      bundling: {
        // esbuild from node_modules, never Docker: the example synthesizes on any machine.
        forceDockerBundling: false,
        // @aws-sdk/rds-signer is not part of the runtime's SDK set: bundle everything, pg included.
        bundleAwsSDK: true,
        // pg's optional native binding is never loaded (pure JavaScript client).
        externalModules: ['pg-native'],
        minify: true,
        sourceMap: true,
        target: 'node24',
      },
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });

    // Invoked synchronously (aws lambda invoke): nothing to catch in a dead-letter queue, and the
    // proxy, not a concurrency reservation, bounds the database connections.
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
      Validations.of(this.queryFunction).acknowledge({
        id: `${pack}-LambdaDLQ`,
        reason: 'The function is invoked synchronously (aws lambda invoke, RequestResponse): the caller gets the error, and a ' +
          'dead-letter queue only ever receives failed asynchronous invocations. Add one (deadLetterQueue) if you invoke it from events.',
      });
      Validations.of(this.queryFunction).acknowledge({
        id: `${pack}-LambdaConcurrency`,
        reason: 'RDS Proxy bounds the database connections however many invocations run (maxConnectionsPercent of max_connections, ' +
          'queueing what the pool cannot serve). A reservation would take concurrency from the account\'s unreserved pool, and an account whose ' +
          'concurrency quota is still 10 cannot reserve any (Lambda keeps 10 unreserved), so the example would not deploy there.',
      });
    }

    // The flow function -> proxy on 5432 (SG rules and NACL entries), function -> AWS APIs on 443
    // through the NAT gateways, rds-db:connect on this proxy for the database user, and the
    // DB_PROXY_ENDPOINT / DB_PORT / DB_NAME / DB_USER environment variables.
    this.database.connectFunction(this.queryFunction);

    new CfnOutput(this, 'QueryFunctionName', { value: this.queryFunction.functionName });
    new CfnOutput(this, 'ProxyEndpoint', { value: this.database.proxyEndpoint });
  }

  /**
   * A customer managed key for the function's log group, rotated yearly, that CloudWatch Logs of
   * this Region may use for this account's log groups (CloudWatch Logs user guide, "Encrypt log
   * data in CloudWatch Logs using AWS KMS").
   */
  private logEncryptionKey(): kms.Key {
    const key = new kms.Key(this, 'QueryFunctionLogKey', {
      description: 'Encrypts the query function\'s logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    // Only AWS services integrated with KMS create grants on the key (AWS Control Tower CT.KMS.PR.3).
    key.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    return key;
  }
}

/** Builds the example's stacks into `app` (the main job calls this with the checks registered). */
export function build(app: App): Stack[] {
  return [new LambdaRdsProxyStack(app, 'LambdaRdsProxy', { env: { region: 'us-east-1', account: process.env.CDK_DEFAULT_ACCOUNT } })];
}

if (require.main === module) {
  build(new App());
}
