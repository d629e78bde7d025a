/**
 * The caller's own credentials for a loopback DynamoDB, as the SDK would find them. DynamoDB Local
 * started without -sharedDb keeps one database per access key, so a user who created tables with
 * their own key (the AWS CLI, their app) must be seen with that key; fixed dummies only when the
 * default chain (environment, shared config/credentials profile, …) yields nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalCredentials } from './clients';

type Provider = DynamoDBClient['config']['credentials'];
type Identity = Awaited<ReturnType<Provider>>;

/** The SDK's default chain exactly as a client built without credentials resolves it. */
function sdkDefaultChain(): Provider {
  return new DynamoDBClient({ region: 'us-east-1' }).config.credentials;
}

/** Resolved once per provider: a CLI run asks the chain one time, not once per request. */
export function callerCredentialsOr(fallback: Readonly<LocalCredentials>, chain?: Provider): Provider {
  let resolved: Promise<Identity> | undefined;
  // The chain is built on first use: a client that never sends builds none.
  return () =>
    (resolved ??= (chain ?? sdkDefaultChain())().catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'CredentialsProviderError') throw error;
      return { ...fallback };
    }));
}
