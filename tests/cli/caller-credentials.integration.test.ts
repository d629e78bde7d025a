/**
 * The CLI on a loopback DynamoDB signs with the caller's own credentials (issue 15). Against a
 * DynamoDB Local started here WITHOUT -sharedDb, which keeps one database per access key: tables
 * created with key A are seen by the CLI run with key A, not with key B; with no credentials
 * anywhere, the fixed dummies are used.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { capturedCli } from '../support/cli-run';
import { DEFAULT_LOCAL_CREDENTIALS } from '../../shared/aws/clients';
import { createTables } from '../../local/tables';
import { tableNamesForWorkspace } from '../../shared/tables';
import { startChildDynamoDbLocal, type ChildDynamo } from '../support/dynamodb-local-child';

let server: ChildDynamo;
const saved = { ...process.env };
const KEY_A = { accessKeyId: 'AKIDCALLERA000000001', secretAccessKey: 'secret-a' };
const KEY_B = { accessKeyId: 'AKIDCALLERB000000002', secretAccessKey: 'secret-b' };
const tables = tableNamesForWorkspace('creds');

const clientWith = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });

beforeAll(async () => {
  server = await startChildDynamoDbLocal({ sharedDb: false, memoryMb: 256 });
  const a = clientWith(KEY_A);
  await createTables(a, tables);
  a.destroy();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const runCli = capturedCli(['--workspace', 'creds']);
async function cli(env: Record<string, string | undefined>, ...args: string[]) {
  process.env = {
    ...saved,
    ...env,
    AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
    AWS_REGION: 'us-east-1',
    // No profile of the machine's may answer for the caller.
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const key of [
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ])
    if (!(key in env)) delete process.env[key];
  return runCli(...args);
}
afterEach(() => {
  process.env = { ...saved };
});

const envKey = (k: typeof KEY_A) => ({ AWS_ACCESS_KEY_ID: k.accessKeyId, AWS_SECRET_ACCESS_KEY: k.secretAccessKey });

describe('credentials on a loopback DynamoDB', () => {
  test('the CLI run with key A sees the tables key A created, and writes where key A reads', async () => {
    expect((await cli(envKey(KEY_A), 'grant', '--user', 'u1', '--credits', '1200', '--reference', 'r1')).code).toBe(0);
    const balance = await cli(envKey(KEY_A), 'balance', '--user', 'u1', '--json');
    expect(balance.code).toBe(0);
    expect(JSON.parse(balance.out)).toMatchObject({ userId: 'u1', remaining: 1200 });
  });

  test('the same CLI with key B finds no tables: the database really is per key', async () => {
    const other = await cli(envKey(KEY_B), 'balance', '--user', 'u1');
    expect(other.code).toBe(3);
    expect(other.err).toMatch(/a table does not exist/);
  });

  test('with no credentials anywhere the fixed dummies are used (their own database)', async () => {
    const dummy = clientWith(DEFAULT_LOCAL_CREDENTIALS);
    expect((await dummy.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    await createTables(dummy, tables);
    dummy.destroy();
    const run = await cli(
      { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
      'balance',
      '--user',
      'u1',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ exists: false });
  });
});
