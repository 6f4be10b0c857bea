/**
 * The lambda-rds-proxy example's function: connects to PostgreSQL through the RDS Proxy with an
 * IAM auth token over verified TLS, and runs a query.
 *
 * - Credentials: no password anywhere. `@aws-sdk/rds-signer` signs a token (valid 15 minutes, for
 *   connecting only) with the function's own credentials, locally: no API call. The proxy checks it
 *   against the `rds-db:connect` grant that `ProxiedDatabase.connectFunction` gave this function,
 *   then logs in to the database with the secret it holds.
 * - TLS: `rejectUnauthorized: true` and no `ca`: RDS Proxy presents an AWS Certificate Manager
 *   certificate that chains to Amazon Root CA 1 (Amazon Trust Services), which Node.js's built-in
 *   root store already trusts. The RDS CA bundle (global-bundle.pem) is for connections straight
 *   to a DB instance, whose certificates RDS signs itself; passing it as `ca` would replace the
 *   built-in roots and the proxy's certificate would no longer verify ("unable to get local issuer
 *   certificate"). The host name is checked against the certificate (pg's default).
 * - Connections: one client per execution environment, reused across invocations; the proxy pools
 *   the database side, so a burst of invocations doesn't become a burst of database connections:
 *   every concurrent invocation runs in an execution environment of its own, and without the proxy
 *   each would hold its own database connection
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html).
 *
 * Environment (set by connectFunction): DB_PROXY_ENDPOINT, DB_PORT, DB_NAME, DB_USER; AWS_REGION (Lambda).
 */
import { Signer } from '@aws-sdk/rds-signer';
import type { Context } from 'aws-lambda';
import { Client } from 'pg';

/** What the function returns: proof that the query ran through the proxy over TLS. */
export interface QueryResult {
  readonly ok: boolean;
  readonly user: string;
  readonly database: string;
  readonly serverVersion: string;
  /** Whether the proxy's own connection to the database (what pg_stat_ssl sees) uses TLS: rds.force_ssl=1 requires it. */
  readonly databaseTls: boolean;
  readonly requestId: string;
}

let client: Client | undefined;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: connect the function with ProxiedDatabase.connectFunction`);
  return value;
}

async function connect(): Promise<Client> {
  const host = env('DB_PROXY_ENDPOINT');
  const port = Number(env('DB_PORT'));
  const user = env('DB_USER');
  const signer = new Signer({ hostname: host, port, username: user, region: env('AWS_REGION') });
  const c = new Client({
    host,
    port,
    user,
    database: env('DB_NAME'),
    // A function, not a string: pg asks for the password at connect time, so a reconnect signs a fresh token.
    password: () => signer.getAuthToken(),
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
  });
  c.on('error', () => { client = undefined; });
  await c.connect();
  return c;
}

export async function handler(_event: unknown, context: Context): Promise<QueryResult> {
  try {
    client ??= await connect();
    const result = await client.query<{ ok: number; usr: string; db: string; version: string; tls: boolean }>(
      `SELECT 1 AS ok, current_user AS usr, current_database() AS db, current_setting('server_version') AS version,
              COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS tls`,
    );
    const row = result.rows[0];
    return { ok: row.ok === 1, user: row.usr, database: row.db, serverVersion: row.version, databaseTls: row.tls, requestId: context.awsRequestId };
  } catch (err) {
    // Drop the client so the next invocation reconnects (a failover or an idle timeout closes it).
    await client?.end().catch(() => undefined);
    client = undefined;
    throw err;
  }
}
