/**
 * The baseline: the same debit written the common way, for comparison only (never deployed).
 * Powertools idempotency (a side table: put IN_PROGRESS, then update COMPLETED) around separate
 * GetItem (job) → UpdateItem (balance) → PutItem (ledger) → UpdateItem (job) calls, with ajv
 * compiling the schema at module load. Not atomic: a crash between calls leaves the books torn,
 * which is exactly why the reconciler does one conditional transaction instead.
 */
import Ajv from 'ajv';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import schema from '../../shared/events/video-event.schema.json';
import { DEFAULT_PRICE_BOOK, priceOf } from '../../shared/pricing';
import type { TableNames } from '../../shared/tables';

export const IDEMPOTENCY_TABLE_DEFINITION = {
  BillingMode: 'PAY_PER_REQUEST' as const,
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
};

interface Envelope {
  id: string;
  detail: { jobId: string; userId: string; seconds: number; model: string; credits?: number };
}

export function createBaselineDebit(dynamodb: DynamoDBClient, tables: TableNames, idempotencyTable: string) {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: idempotencyTable, awsSdkV3Client: dynamodb });

  const debit = async (event: Envelope) => {
    if (!validate(event)) throw new Error(`invalid event: ${JSON.stringify(validate.errors)}`);
    const { jobId, userId, seconds, model, credits } = event.detail;
    const price = priceOf(DEFAULT_PRICE_BOOK, { model, seconds, quotedCredits: credits });
    const job = await documents.send(new GetCommand({ TableName: tables.jobs, Key: { jobId } }));
    if (job.Item?.settlement) return { outcome: 'duplicate' };
    const now = new Date().toISOString();
    await documents.send(
      new UpdateCommand({
        TableName: tables.credits,
        Key: { userId },
        UpdateExpression: 'SET remaining = remaining - :p, updatedAt = :now',
        ExpressionAttributeValues: { ':p': price, ':now': now },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: tables.ledger,
        Item: {
          ledgerId: `job#${jobId}#debit`,
          userId,
          timestamp: now,
          day: now.slice(0, 10),
          type: 'debit',
          kind: 'render',
          amount: price,
          reference: jobId,
          eventId: event.id,
          description: 'baseline',
        },
      }),
    );
    await documents.send(
      new UpdateCommand({
        TableName: tables.jobs,
        Key: { jobId },
        UpdateExpression: 'SET settlement = :d, charged = :p, settledAt = :now',
        ExpressionAttributeValues: { ':d': 'DEBITED', ':p': price, ':now': now },
      }),
    );
    return { outcome: 'debited', credits: price };
  };

  return makeIdempotent(debit, { persistenceStore, config: new IdempotencyConfig({ eventKeyJmesPath: 'id' }) });
}
