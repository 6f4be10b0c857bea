import type { Context } from 'aws-lambda';

// The handler's two dependencies, replaced: the signer returns a fixed token, the client records its config.
const getAuthToken = jest.fn(async () => 'signed-token');
const signerConfigs: unknown[] = [];
jest.mock('@aws-sdk/rds-signer', () => ({
  Signer: jest.fn().mockImplementation((config: unknown) => {
    signerConfigs.push(config);
    return { getAuthToken };
  }),
}));

const clientConfigs: any[] = [];
const connect = jest.fn(async () => undefined);
const end = jest.fn(async () => undefined);
const query = jest.fn(async (_sql: string) => ({
  rows: [{ ok: 1, usr: 'dbadmin', db: 'app', version: '16.8', tls: true }],
}));
jest.mock('pg', () => ({
  Client: jest.fn().mockImplementation((config: unknown) => {
    clientConfigs.push(config);
    return { connect, end, query, on: jest.fn() };
  }),
}));

const context = { awsRequestId: 'req-1' } as Context;

describe('examples/lambda-rds-proxy/handler', () => {
  // The other test files of the suite run in this process after this one: put the environment back.
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, {
      DB_PROXY_ENDPOINT: 'db.proxy-abc.us-east-1.rds.amazonaws.com', DB_PORT: '5432', DB_NAME: 'app', DB_USER: 'dbadmin', AWS_REGION: 'us-east-1',
    });
  });
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('connects through the proxy with an IAM token over verified TLS, runs SELECT 1, and reuses the connection', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../examples/lambda-rds-proxy/handler');
    const first = await handler({}, context);
    const second = await handler({}, { ...context, awsRequestId: 'req-2' });

    expect(first).toEqual({ ok: true, user: 'dbadmin', database: 'app', serverVersion: '16.8', databaseTls: true, requestId: 'req-1' });
    expect(second.requestId).toBe('req-2');
    expect(signerConfigs).toEqual([{ hostname: 'db.proxy-abc.us-east-1.rds.amazonaws.com', port: 5432, username: 'dbadmin', region: 'us-east-1' }]);
    expect(clientConfigs).toHaveLength(1);
    const config = clientConfigs[0];
    expect(config).toMatchObject({ host: 'db.proxy-abc.us-east-1.rds.amazonaws.com', port: 5432, user: 'dbadmin', database: 'app' });
    // TLS verified against Node's built-in roots (Amazon Root CA 1 signs the proxy's ACM certificate): no `ca` override.
    expect(config.ssl).toEqual({ rejectUnauthorized: true });
    // The password is the token, asked for at connect time.
    await expect(config.password()).resolves.toBe('signed-token');
    expect(connect).toHaveBeenCalledTimes(1);
    expect(query).toHaveBeenCalledTimes(2);
    expect(query.mock.calls[0][0]).toMatch(/^SELECT 1 AS ok/);
  });

  test('a failed query drops the client, so the next invocation reconnects', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require('../../examples/lambda-rds-proxy/handler');
    query.mockRejectedValueOnce(new Error('connection terminated'));
    await expect(handler({}, context)).rejects.toThrow('connection terminated');
    expect(end).toHaveBeenCalled();
    await handler({}, context);
    expect(clientConfigs).toHaveLength(2);
  });
});
