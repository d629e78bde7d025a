/** Reads a local stack's whole books (the demo and chaos sizes fit in memory). */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LocalStack } from '../local/stack';

/** Every item of a table, unmarshalled, with consistent reads (test and demo sizes only). */
export async function scanTable(dynamodb: DynamoDBClient, table: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  for (let page = 0; page < 100_000; page++) {
    const result = await dynamodb.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(result.Items ?? []).map((i) => unmarshall(i)));
    start = result.LastEvaluatedKey;
    if (!start) break;
  }
  return items;
}

export async function readBooksOf(stack: LocalStack) {
  const [credits, ledger, jobs, settlements] = await Promise.all([
    scanTable(stack.dynamodb, stack.tables.credits),
    scanTable(stack.dynamodb, stack.tables.ledger),
    scanTable(stack.dynamodb, stack.tables.jobs),
    scanTable(stack.dynamodb, stack.tables.settlements),
  ]);
  return {
    balances: new Map(credits.map((c) => [String(c.userId), Number(c.remaining)])),
    held: new Map(credits.map((c) => [String(c.userId), Number(c.held ?? 0)])),
    holds: new Map(
      settlements.filter((s) => s.holdState !== undefined).map((s) => [String(s.jobId), String(s.holdState)]),
    ),
    /** When each hold expired and when its job settled (if it did): a job settled after its hold expired is charged plainly. */
    holdTimes: new Map(
      settlements
        .filter((s) => s.holdExpiresAt !== undefined)
        .map((s) => [
          String(s.jobId),
          { expiresAt: String(s.holdExpiresAt), ...(s.settledAt ? { settledAt: String(s.settledAt) } : {}) },
        ]),
    ),
    ledger: ledger.map((e) => ({
      ledgerId: String(e.ledgerId),
      userId: String(e.userId),
      type: String(e.type),
      kind: String(e.kind),
      amount: Number(e.amount),
      reference: String(e.reference),
    })),
    jobs: new Map(jobs.map((j) => [String(j.jobId), j])),
  };
}
