/**
 * The least-privilege comparison itself, on fixtures: what a command needs (item by item inside a
 * transaction, the index of a query), and that a role with one action too many, one too few, or
 * code that starts sending a command its role lacks, each fails.
 */
import { compareGrants, iamNeeds, type Needed, type SentCommand } from '../support/sdk-recorder';

const names = {
  tables: { 'Ledger-t': 'ledger', 'Credits-t': 'credits', 'Settlements-t': 'settlements', 'Jobs-t': 'jobs' },
  queues: { 'http://q/dlq': 'dlq' },
  topics: { 'arn:topic': 'alerts' },
  buses: { 'bus-t': 'events' },
};
const sent = (service: SentCommand['service'], command: string, input: Record<string, unknown>): SentCommand => ({
  service,
  command,
  input,
});

test("a transaction needs the action of each item, on that item's table", () => {
  expect(
    iamNeeds(
      sent('dynamodb', 'TransactWriteItems', {
        TransactItems: [
          { Update: { TableName: 'Settlements-t' } },
          { Put: { TableName: 'Ledger-t' } },
          { Update: { TableName: 'Credits-t' } },
          { ConditionCheck: { TableName: 'Ledger-t' } },
        ],
      }),
      names,
    ),
  ).toEqual([
    { action: 'dynamodb:UpdateItem', resource: 'table:settlements' },
    { action: 'dynamodb:PutItem', resource: 'table:ledger' },
    { action: 'dynamodb:UpdateItem', resource: 'table:credits' },
    { action: 'dynamodb:ConditionCheckItem', resource: 'table:ledger' },
  ]);
});

test('a query on an index needs the index; batch reads each table; messages, topics and buses by name', () => {
  expect(iamNeeds(sent('dynamodb', 'Query', { TableName: 'Jobs-t', IndexName: 'unsettled' }), names)).toEqual([
    { action: 'dynamodb:Query', resource: 'index:jobs/unsettled' },
  ]);
  expect(iamNeeds(sent('dynamodb', 'BatchGetItem', { RequestItems: { 'Settlements-t': {} } }), names)).toEqual([
    { action: 'dynamodb:BatchGetItem', resource: 'table:settlements' },
  ]);
  expect(iamNeeds(sent('sqs', 'SendMessage', { QueueUrl: 'http://q/dlq' }), names)).toEqual([
    { action: 'sqs:SendMessage', resource: 'queue:dlq' },
  ]);
  expect(iamNeeds(sent('sns', 'Publish', { TopicArn: 'arn:topic' }), names)).toEqual([
    { action: 'sns:Publish', resource: 'topic:alerts' },
  ]);
  expect(iamNeeds(sent('events', 'PutEvents', { Entries: [{ EventBusName: 'bus-t' }] }), names)).toEqual([
    { action: 'events:PutEvents', resource: 'bus:events' },
  ]);
  expect(() => iamNeeds(sent('dynamodb', 'GetItem', { TableName: 'Unknown-t' }), names)).toThrow(
    /does not know the table "Unknown-t"/,
  );
});

describe('the comparison fails in both directions', () => {
  const needed: Needed[] = [
    { action: 'dynamodb:UpdateItem', resource: 'table:settlements' },
    { action: 'dynamodb:PutItem', resource: 'table:ledger' },
  ];
  const platform: Needed[] = [{ action: 'logs:PutLogEvents', resource: 'log-group:own' }];

  test('exactly what is needed: no finding', () => {
    expect(compareGrants(needed, [...needed, ...platform], platform)).toEqual([]);
  });
  test('an action added to the role', () => {
    expect(
      compareGrants(
        needed,
        [...needed, ...platform, { action: 'dynamodb:DeleteItem', resource: 'table:ledger' }],
        platform,
      ),
    ).toEqual(['granted dynamodb:DeleteItem on table:ledger, never used']);
  });
  test('the right action on a wider resource counts as both', () => {
    expect(
      compareGrants(
        needed,
        [needed[0]!, { action: 'dynamodb:PutItem', resource: 'table:credits' }, ...platform],
        platform,
      ),
    ).toEqual([
      'needs dynamodb:PutItem on table:ledger, not granted',
      'granted dynamodb:PutItem on table:credits, never used',
    ]);
  });
  test('an action removed from the role, or code that starts sending a new command', () => {
    expect(compareGrants(needed, [needed[0]!, ...platform], platform)).toEqual([
      'needs dynamodb:PutItem on table:ledger, not granted',
    ]);
    expect(
      compareGrants(
        [...needed, { action: 'dynamodb:Scan', resource: 'table:ledger' }],
        [...needed, ...platform],
        platform,
      ),
    ).toEqual(['needs dynamodb:Scan on table:ledger, not granted']);
  });
});
