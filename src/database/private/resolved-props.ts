import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';

/** What differs between the supported engines. */
export interface EngineSpec {
  /** RDS Proxy's engine family for the engine. */
  readonly family: string;
  /** The engine's default port, which is also the only port RDS Proxy listens on for it. */
  readonly defaultPort: number;
  /** The parameter group entry that refuses unencrypted connections. */
  readonly tlsParameter: Record<string, string>;
  /** Longest master user name RDS accepts for the engine. */
  readonly maxUsername: number;
  /** Longest database name the engine accepts. */
  readonly maxDatabaseName: number;
  /** Every log type the engine exports to CloudWatch Logs (RDS user guide, "Publishing database logs to Amazon CloudWatch Logs"). */
  readonly logExports: string[];
}

/** The props of a `ProxiedDatabase` this module needs, as given (a structural copy: no import of the construct's file). */
export interface DatabaseDefaultsInput {
  readonly engine?: rds.IInstanceEngine;
  readonly instanceType?: ec2.InstanceType;
  readonly masterUsername?: string;
  readonly databaseName?: string;
  readonly port?: number;
  readonly iamAuth?: boolean;
  readonly requireTls?: boolean;
  readonly multiAz?: boolean;
  readonly deletionProtection?: boolean;
  readonly removalPolicy?: RemovalPolicy;
  readonly allocatedStorage?: number;
  readonly backupRetention?: Duration;
  readonly maxConnectionsPercent?: number;
  readonly maxIdleConnectionsPercent?: number;
  readonly borrowTimeout?: Duration;
  readonly idleClientTimeout?: Duration;
  readonly monitoringInterval?: Duration;
  readonly cloudwatchLogsExports?: string[];
  readonly rotationSchedule?: Duration;
}

/** Every setting of a `ProxiedDatabase` with its default applied: what the builders read. */
export interface ResolvedDatabaseProps {
  readonly engine: rds.IInstanceEngine;
  readonly spec: EngineSpec;
  /** The AZs of the data subnets the database and the proxy use. */
  readonly availabilityZones: string[];
  readonly instanceType: ec2.InstanceType;
  readonly username: string;
  readonly databaseName: string;
  /** The engine's default port: the only port RDS Proxy listens on. */
  readonly proxyPort: number;
  readonly databasePort: number;
  readonly iamAuth: boolean;
  readonly requireTls: boolean;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly allocatedStorage: number;
  readonly backupRetention: Duration;
  readonly maxConnectionsPercent: number;
  readonly maxIdleConnectionsPercent: number;
  readonly borrowTimeout: Duration;
  readonly idleClientTimeout: Duration;
  readonly monitoringInterval: Duration;
  readonly logExports: string[];
  readonly rotationSchedule: Duration;
}

/** The default engine: PostgreSQL 17. */
export function defaultEngine(props: DatabaseDefaultsInput): rds.IInstanceEngine {
  return props.engine ?? rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
}

/** Applies every default (validation is the construct's, on the result). */
export function resolveDatabaseDefaults(props: DatabaseDefaultsInput, engine: rds.IInstanceEngine, spec: EngineSpec,
  availabilityZones: string[]): ResolvedDatabaseProps {
  const maxConnectionsPercent = props.maxConnectionsPercent ?? 100;
  return {
    engine,
    spec,
    availabilityZones,
    instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MEDIUM),
    username: props.masterUsername ?? 'dbadmin',
    databaseName: props.databaseName ?? 'app',
    proxyPort: spec.defaultPort,
    databasePort: props.port ?? spec.defaultPort,
    iamAuth: props.iamAuth ?? true,
    requireTls: props.requireTls ?? true,
    multiAz: props.multiAz ?? true,
    deletionProtection: props.deletionProtection ?? true,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    allocatedStorage: props.allocatedStorage ?? 20,
    backupRetention: props.backupRetention ?? Duration.days(7),
    maxConnectionsPercent,
    maxIdleConnectionsPercent: props.maxIdleConnectionsPercent ?? Math.floor(maxConnectionsPercent / 2),
    borrowTimeout: props.borrowTimeout ?? Duration.seconds(120),
    idleClientTimeout: props.idleClientTimeout ?? Duration.minutes(30),
    monitoringInterval: props.monitoringInterval ?? Duration.seconds(60),
    logExports: props.cloudwatchLogsExports ?? spec.logExports,
    rotationSchedule: props.rotationSchedule ?? Duration.days(30),
  };
}
