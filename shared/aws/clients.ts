/**
 * AWS SDK clients. Endpoints come from the SDK's own standard variables (AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_SQS, …) or explicit overrides. Static dummy credentials are used only when the
 * endpoint is on loopback (DynamoDB Local, fauxqs, the local EventBridge); anywhere else the
 * default credential chain (IAM roles) applies.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

export interface ClientOptions {
  endpoint?: string;
  region?: string;
  /** SDK-level attempts; our own retry loop sits above this, so keep it small. */
  maxAttempts?: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const host = new URL(endpoint).hostname;
    return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
  } catch {
    return false;
  }
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The one place client settings are derived. `service` names the SDK's per-service endpoint
 * variable: AWS_ENDPOINT_URL_<service>.
 */
export function clientConfig(options: ClientOptions, service: string) {
  const endpoint = options.endpoint ?? process.env[`AWS_ENDPOINT_URL_${service}`] ?? process.env.AWS_ENDPOINT_URL;
  const local = isLoopbackEndpoint(endpoint);
  return {
    ...(endpoint ? { endpoint } : {}),
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (local ? 'us-east-1' : undefined),
    maxAttempts: options.maxAttempts ?? 2,
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
}

export const makeDynamoDbClient = (o: ClientOptions = {}) => new DynamoDBClient(clientConfig(o, 'DYNAMODB'));
export const makeSqsClient = (o: ClientOptions = {}) => new SQSClient(clientConfig(o, 'SQS'));
export const makeSnsClient = (o: ClientOptions = {}) => new SNSClient(clientConfig(o, 'SNS'));
export const makeEventBridgeClient = (o: ClientOptions = {}) => new EventBridgeClient(clientConfig(o, 'EVENTBRIDGE'));
