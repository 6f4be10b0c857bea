/**
 * AWS Control Tower proactive controls the constructs satisfy by default (the property each
 * control reads), and the ones they acknowledge with a reason.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ControlTowerGuard } from '../../scripts/guard';
import { findings, GUARD_PLUGIN } from '../../scripts/synth-example';
import { EcsFargateService, ProxiedDatabase, ServiceLoadBalancer, TieredVpc } from '../../src';
import { TEST_AZS } from '../util';


const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

/** The statement CT.KMS.PR.3 asks for: no grant unless an AWS service asks for it. */
const DENY_GRANTS = expect.objectContaining({
  Effect: 'Deny',
  Action: 'kms:CreateGrant',
  Principal: { AWS: '*' },
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
});

function build(app = new App()) {
  const stack = new Stack(app, 'Test', { env: { region: 'us-east-1' } });
  const net = new TieredVpc(stack, 'Net', { availabilityZones: TEST_AZS });
  const db = new ProxiedDatabase(stack, 'Db', { network: net });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555');
  // HTTPS 443 with HTTP 80 redirecting to it (CT.ELASTICLOADBALANCING.PR.1).
  const web = new EcsFargateService(stack, 'Web', { network: net, image: IMAGE, containerPort: 8080, loadBalancer: ServiceLoadBalancer.alb({ certificate }) });
  return { stack, net, db, web };
}

function keyPolicy(stack: Stack, template: Template, key: unknown): any {
  const id = (stack.resolve(key) as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  return template.toJSON().Resources[id].Properties.KeyPolicy;
}

describe('fixed by default', () => {
  const { stack, net, db, web } = build();
  const template = Template.fromStack(stack);

  test('CT.KMS.PR.3: every key the constructs create limits grants to AWS services', () => {
    const keys = [net.flowLogEncryptionKey, db.secretEncryptionKey, web.logEncryptionKey];
    for (const key of keys) {
      expect(keyPolicy(stack, template, key.keyArn).Statement).toEqual(expect.arrayContaining([DENY_GRANTS]));
    }
    // and the database's storage key (the instance's KmsKeyId)
    const instance = template.toJSON().Resources[(stack.resolve(db.instance.instanceEndpoint.hostname) as any)['Fn::GetAtt'][0]];
    expect(keyPolicy(stack, template, instance.Properties.KmsKeyId).Statement).toEqual(expect.arrayContaining([DENY_GRANTS]));
  });

  test('CT.RDS.PR.7 and CT.RDS.PR.30: IAM authentication on, storage encrypted with a customer managed key of the construct', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      EnableIAMDatabaseAuthentication: true,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbStorageKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('^Encrypts the storage'), EnableKeyRotation: true });
  });

  test('CT.CLOUDWATCH.PR.2: container logs are kept a year', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: stack.resolve(web.logEncryptionKey.keyArn),
    });
  });

  test('CT.ECS.PR.7: the Fargate container has a hard memory limit, the task\'s memory', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Memory: '512',
      ContainerDefinitions: [Match.objectLike({ Memory: 512 })],
    });
  });

  test('CT.S3.PR.3 and CT.S3.PR.6: the ALB log bucket has a lifecycle rule that deletes no log', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{ Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }] },
    });
  });

  test('the logRetention override is kept', () => {
    const app = new App();
    const s = new Stack(app, 'Short', { env: { region: 'us-east-1' } });
    const n = new TieredVpc(s, 'Net', { availabilityZones: TEST_AZS });
    const svc = new EcsFargateService(s, 'Web', { network: n, image: IMAGE, containerPort: 8080, logRetention: 30 });
    Template.fromStack(s).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: s.resolve(svc.logEncryptionKey.keyArn) });
  });
});

test('the Control Tower rules find nothing unacknowledged in a VPC, a proxied database and a Fargate service', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-constructs-'));
  const app = new App({ outdir });
  Validations.of(app).addPlugins(new ControlTowerGuard());
  const { web } = build(app);
  // What the image decides (a user, a read-only root filesystem) is the application's to acknowledge.
  Validations.of(web.taskDefinition).acknowledge(
    { id: `${GUARD_PLUGIN}::ecs_task_definition_nonroot_user_check`, reason: 'test image' },
    { id: `${GUARD_PLUGIN}::ecs_containers_readonly_access_check`, reason: 'test image' },
  );
  app.synth();
  // The plugin ran (its report is there) and found nothing left unacknowledged.
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.map((p: { pluginName: string }) => p.pluginName)).toContain(GUARD_PLUGIN);
  expect(findings(outdir).filter((f) => f.plugin === GUARD_PLUGIN)).toEqual([]);
  // The acknowledgments the constructs made are in the report with their control id.
  const suppressed = JSON.stringify(report);
  expect(suppressed).toContain('[CT.EC2.PR.5]');
  expect(suppressed).toContain('[CT.LAMBDA.PR.3]');
}, 180_000);
