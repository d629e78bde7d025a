/** shared/aws/clients.ts: an endpoint is what it claims to be (security review L1, M7). */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  assertUsableEndpoint,
  clientConfig,
  isLoopbackEndpoint,
  isLoopbackHost,
  makeSqsClient,
} from '../../../shared/aws/clients';
import { ConfigError } from '../../../shared/errors';

describe('loopback is decided by the address, not by a prefix of a name', () => {
  test.each([
    'http://127.0.0.1:8000',
    'http://127.5.6.7',
    'http://[::1]:9324',
    'http://localhost:4566',
    'https://localhost',
    // The URL parser normalises these spellings of 127.0.0.1 before we look at them.
    'http://0x7f.1:8000',
    'http://2130706433/',
  ])('%s is loopback', (endpoint) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(true);
  });

  test.each([
    // The review's examples: names that start like a loopback address resolve wherever their owner wants.
    'http://127.attacker.example:8000',
    'http://127.0.0.1.nip.io',
    'http://localhost.attacker.example',
    'http://localhost.',
    'http://sqs.us-east-1.localhost:9324',
    'http://128.0.0.1',
    'http://10.0.0.1',
    'http://[::2]',
    'http://[::ffff:127.0.0.1]',
    'https://sqs.eu-west-1.amazonaws.com',
    'not a url',
    '',
  ])('%s is not loopback', (endpoint) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(false);
  });

  test('undefined is not loopback; isLoopbackHost takes bare hosts', () => {
    expect(isLoopbackEndpoint(undefined)).toBe(false);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
  });
});

describe('a non-loopback endpoint must be https', () => {
  test.each(['http://dynamodb.eu-west-1.amazonaws.com', 'http://127.attacker.example:8000', 'ftp://127.0.0.1.nip.io'])(
    '%s is refused, naming where it came from',
    (endpoint) => {
      expect(() => assertUsableEndpoint(endpoint, 'AWS_ENDPOINT_URL_SQS')).toThrow(ConfigError);
      expect(() => assertUsableEndpoint(endpoint, 'AWS_ENDPOINT_URL_SQS')).toThrow(
        /AWS_ENDPOINT_URL_SQS=.* must be https/,
      );
    },
  );

  test('https anywhere, and http on loopback, are fine; something that is no URL is refused', () => {
    expect(() => assertUsableEndpoint('https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com', 'endpoint')).not.toThrow();
    expect(() => assertUsableEndpoint('http://127.0.0.1:9324', 'endpoint')).not.toThrow();
    expect(() => assertUsableEndpoint('127.0.0.1:9324', 'endpoint')).toThrow(/not a URL/);
  });
});

describe('clientConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('a loopback SQS gets the static local credentials; an https endpoint the default chain', () => {
    expect(clientConfig({ endpoint: 'http://127.0.0.1:8000' }, 'SQS')).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
      credentials: { accessKeyId: 'local' },
    });
    const remote = clientConfig(
      { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1' },
      'DYNAMODB',
    );
    expect(remote).not.toHaveProperty('credentials');
  });

  test("a loopback DynamoDB signs with the caller's own key when the environment has one", async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDMINE', AWS_SECRET_ACCESS_KEY: 'mine' });
    const { credentials } = clientConfig({ endpoint: 'http://127.0.0.1:8000' }, 'DYNAMODB');
    expect(typeof credentials).toBe('function');
    await expect((credentials as () => Promise<{ accessKeyId: string }>)()).resolves.toMatchObject({
      accessKeyId: 'AKIDMINE',
    });
  });

  test('127.attacker.example never gets dummy credentials: it is refused, since it is not https', () => {
    expect(() => clientConfig({ endpoint: 'http://127.attacker.example:8000' }, 'DYNAMODB')).toThrow(ConfigError);
  });

  test('the endpoint variable that named a bad endpoint is the one the error names', () => {
    delete process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL_SQS = 'http://sqs-prod.attacker.example';
    expect(() => clientConfig({}, 'SQS')).toThrow(
      /^AWS_ENDPOINT_URL_SQS=http:\/\/sqs-prod\.attacker\.example is not on loopback/,
    );
    delete process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL = 'http://proxy.example';
    expect(() => clientConfig({}, 'SQS')).toThrow(/^AWS_ENDPOINT_URL=/);
  });

  test('explicit credentials are for loopback only', () => {
    const who = { accessKeyId: 'LOCALPRODUCER', secretAccessKey: 'x' };
    expect(clientConfig({ endpoint: 'http://127.0.0.1:1', localCredentials: who }, 'EVENTBRIDGE')).toMatchObject({
      credentials: who,
    });
    expect(() =>
      clientConfig({ endpoint: 'https://events.eu-west-1.amazonaws.com', localCredentials: who }, 'EVENTBRIDGE'),
    ).toThrow(/loopback endpoints only/);
  });

  test("the middleware stack is cached per command only when asked (a handler's client), never by default", () => {
    expect(clientConfig({ endpoint: 'http://127.0.0.1:1' }, 'DYNAMODB')).not.toHaveProperty('cacheMiddleware');
    expect(clientConfig({ endpoint: 'http://127.0.0.1:1', cacheMiddleware: true }, 'DYNAMODB')).toMatchObject({
      cacheMiddleware: true,
    });
  });
});

describe('the SQS client does not follow a QueueUrl to its host (M7)', () => {
  /** The host a command would be sent to; the request never leaves the process. */
  async function hostOfRequest(client: SQSClient, queueUrl: string): Promise<string> {
    let host = '';
    client.middlewareStack.add(
      (() => async (args: { request: { hostname: string } }) => {
        host = args.request.hostname;
        throw new Error('stop before sending');
      }) as never,
      { step: 'build', name: 'captureHost' },
    );
    await expect(client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl }))).rejects.toThrow(
      'stop before sending',
    );
    return host;
  }
  const forged = 'https://sqs-prod.attacker.example/123456789012/cc-reconciler-dlq-prod';

  test('ours goes to the regional endpoint whatever host the queue URL names', async () => {
    const saved = { ...process.env };
    // The default chain must find something to sign with; nothing is sent.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' });
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_SQS;
    try {
      const client = makeSqsClient({ region: 'eu-west-1' });
      expect(await hostOfRequest(client, forged)).toBe('sqs.eu-west-1.amazonaws.com');
      client.destroy();
    } finally {
      process.env = saved;
    }
  });

  test('the SDK default would have gone to the attacker (what the option prevents)', async () => {
    const client = new SQSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(await hostOfRequest(client, forged)).toBe('sqs-prod.attacker.example');
    client.destroy();
  });
});
