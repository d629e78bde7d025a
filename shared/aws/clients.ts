/**
 * AWS SDK clients. Endpoints come from the SDK's own standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS, …) or explicit overrides. In AWS the default credential chain (IAM roles)
 * applies. On loopback: a given principal's key (the local stack's callers); else, for DynamoDB,
 * the caller's own credentials when the default chain finds any (DynamoDB Local without -sharedDb
 * keeps one database per key), dummies when it finds none; for the local SQS and EventBridge, whose
 * bus policy and SenderIds tell callers apart by key (local/principals.ts), the fixed dummy key.
 *
 * An endpoint is what it claims to be (security review L1, M7):
 * - loopback is decided by the address itself (127.0.0.0/8, ::1) or the exact name `localhost`,
 *   never by a prefix of a name (`127.attacker.example` resolves wherever its owner wants);
 * - any other endpoint must be https: the session token travels in a header;
 * - the SQS client sends to its endpoint, never to the host a QueueUrl names
 *   (`useQueueUrlAsEndpoint: false`), so a queue URL cannot redirect the operator's credentials.
 */
import { isIP } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConfigError } from '../errors';
import { callerCredentialsOr } from './caller-credentials';
import { collectBody } from './body-collector';

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ClientOptions {
  endpoint?: string;
  region?: string;
  /** SDK-level attempts; our own retry loop sits above this, so keep it small. */
  maxAttempts?: number;
  /**
   * Who a local client is (the local stack's principals: producer, replay, a function's role).
   * Only for a loopback endpoint: in AWS the default credential chain decides, always.
   */
  localCredentials?: Readonly<LocalCredentials>;
  /**
   * Resolve each command class's middleware stack once per client instead of on every request (the
   * SDK's `cacheMiddleware`): the per-request rebuild and sort of the stack is about a seventh of what
   * a handler allocates per event. Only for a client that nobody adds middleware to after its first
   * request and that sends one request at a time, like a handler's: the resolved context is shared.
   */
  cacheMiddleware?: boolean;
}

/** The host of a URL without IPv6 brackets; undefined when it is not a URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

/** True for 127.0.0.0/8, ::1 and the exact name `localhost` (the WHATWG URL parser has already normalised 0x7f.1 and the like). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return host.split('.')[0] === '127';
  if (family === 6) return host === '::1';
  return false;
}

export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  const host = hostOf(endpoint);
  return host !== undefined && isLoopbackHost(host);
}

/** An endpoint the SDK may be pointed at: loopback (local emulators), or https. Throws ConfigError otherwise. */
export function assertUsableEndpoint(endpoint: string, source: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`${source}=${endpoint} is not a URL`);
  }
  if (isLoopbackEndpoint(endpoint)) return;
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      `${source}=${endpoint} is not on loopback, so it must be https (credentials travel in its headers); use https, or 127.0.0.1/::1/localhost for a local emulator`,
    );
  }
}

/** What a loopback client signs with unless it is given a principal (the local stack's operator key). */
export const DEFAULT_LOCAL_CREDENTIALS: Readonly<LocalCredentials> = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The region the clients use when none is passed: the SDK's standard variables (Lambda sets AWS_REGION). */
export function defaultRegion(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}

/**
 * The one place client settings are derived. `service` names the SDK's per-service endpoint
 * variable: AWS_ENDPOINT_URL_<service>.
 */
export function clientConfig(options: ClientOptions, service: string) {
  const source =
    options.endpoint !== undefined
      ? 'endpoint'
      : process.env[`AWS_ENDPOINT_URL_${service}`] !== undefined
        ? `AWS_ENDPOINT_URL_${service}`
        : 'AWS_ENDPOINT_URL';
  const endpoint = options.endpoint ?? process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL;
  if (endpoint) assertUsableEndpoint(endpoint, source);
  const local = isLoopbackEndpoint(endpoint);
  if (options.localCredentials && !local)
    throw new ConfigError(
      `explicit credentials are for loopback endpoints only; ${service} at ${endpoint ?? 'AWS'} uses the default credential chain`,
    );
  return {
    ...(endpoint ? { endpoint } : {}),
    region: options.region ?? defaultRegion() ?? (local ? 'us-east-1' : undefined),
    maxAttempts: options.maxAttempts ?? 2,
    streamCollector: collectBody,
    ...(options.cacheMiddleware ? { cacheMiddleware: true } : {}),
    ...(local ? { credentials: localCredentialsFor(options, service) } : {}),
  };
}

function localCredentialsFor(options: ClientOptions, service: string) {
  if (options.localCredentials) return { ...options.localCredentials };
  return service === 'DYNAMODB' ? callerCredentialsOr(DEFAULT_LOCAL_CREDENTIALS) : { ...DEFAULT_LOCAL_CREDENTIALS };
}

export const makeDynamoDbClient = (o: ClientOptions = {}) => new DynamoDBClient(clientConfig(o, 'DYNAMODB'));
/** The QueueUrl names a queue, never where to send: requests go to the client's endpoint (M7). */
export const makeSqsClient = (o: ClientOptions = {}) =>
  new SQSClient({ ...clientConfig(o, 'SQS'), useQueueUrlAsEndpoint: false });
export const makeSnsClient = (o: ClientOptions = {}) => new SNSClient(clientConfig(o, 'SNS'));
export const makeEventBridgeClient = (o: ClientOptions = {}) => new EventBridgeClient(clientConfig(o, 'EVENTBRIDGE'));

interface ClientWithEndpoint {
  config: { endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number }> };
}

/** The custom endpoint a client was built with, as a URL origin; undefined when it uses AWS's own. */
export async function configuredEndpoint(client: object): Promise<string | undefined> {
  const endpoint = await (client as ClientWithEndpoint).config.endpoint?.();
  if (!endpoint) return undefined;
  const host = endpoint.hostname.includes(':') ? `[${endpoint.hostname}]` : endpoint.hostname;
  return `${endpoint.protocol}//${host}${endpoint.port ? `:${endpoint.port}` : ''}`;
}
