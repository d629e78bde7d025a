/**
 * Clients for the services only the operator tools need (Lambda, CloudWatch). Kept out of
 * shared/aws/clients.ts so the handler bundles never pull these SDK packages in; the settings
 * (endpoint variables, loopback-only static credentials) come from the same clientConfig.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { clientConfig, type ClientOptions } from '../shared/aws/clients';

export const makeLambdaClient = (o: ClientOptions = {}) =>
  new LambdaClient(clientConfig({ maxAttempts: 3, ...o }, 'LAMBDA'));
export const makeCloudWatchClient = (o: ClientOptions = {}) =>
  new CloudWatchClient(clientConfig({ maxAttempts: 3, ...o }, 'CLOUDWATCH'));
