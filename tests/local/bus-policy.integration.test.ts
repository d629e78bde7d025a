/**
 * The bus policy, locally (security review H1): only the producer and replay keys may publish
 * `source: video.generation` on the local stack's bus. A refused publisher gets AccessDeniedException
 * per entry and moves nothing: no delivery, no ledger entry, no balance change, no dead letter.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { grantCredits } from '../../shared/ledger/manual-entries';
import { getBalance } from '../../shared/ledger/queries';
import { publishPolicy, refusalOf } from '../../local/eventbridge/publish-policy';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { readBooks } from '../support/books';
import { dropTables, dynamoEndpoint, sqsEndpoint } from '../support/local-aws';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() });
});
afterAll(async () => {
  await stack.bus.idle();
  await dropTables(stack.dynamodb, stack.tables);
  await stack.stop();
});

const entries = (jobId: string): PutEventsRequestEntry[] => [
  {
    Source: 'video.generation',
    DetailType: 'video.rendered',
    Detail: JSON.stringify({ jobId, userId: 'victim', seconds: 5, model: 'test', credits: 900 }),
    EventBusName: stack.bus.busName,
  },
  {
    Source: 'video.generation',
    DetailType: 'video.failed',
    Detail: JSON.stringify({ jobId: `${jobId}-f`, userId: 'victim', seconds: 5, model: 'test' }),
    EventBusName: stack.bus.busName,
  },
];

test("an outsider's video.generation events are refused, entry by entry, and move nothing", async () => {
  await grantCredits(
    { dynamodb: stack.dynamodb, tables: stack.tables },
    { userId: 'victim', credits: 1_000, reference: 'opening-victim', description: 'opening balance' },
  );
  const before = await readBooks(stack.dynamodb, stack.tables);
  const outsider = stack.eventBridgeAs(stack.principals.outsider);
  const out = await outsider.send(new PutEventsCommand({ Entries: entries('outsider-1') }));
  await stack.bus.idle();
  expect(out.FailedEntryCount).toBe(2);
  expect(out.Entries!.map((e) => e.ErrorCode)).toEqual(['AccessDeniedException', 'AccessDeniedException']);
  expect(out.Entries![0]!.ErrorMessage).toMatch(
    /LOCALOUTSIDER.* is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus\/cc-reconciler-events-.* with an explicit deny in a resource-based policy/,
  );
  expect(stack.bus.stats).toMatchObject({ entriesDenied: 2, deliveries: 0 });
  expect(await readBooks(stack.dynamodb, stack.tables)).toEqual(before);
  expect((await getBalance({ dynamodb: stack.dynamodb, tables: stack.tables }, 'victim')).remaining).toBe(1_000);
  expect(await stack.dlqDepth()).toBe(0);
});

test('the same entries from the producer are delivered and settle (the contrast)', async () => {
  const producer = stack.eventBridgeAs(stack.principals.producer);
  const out = await producer.send(new PutEventsCommand({ Entries: entries('producer-1') }));
  await stack.bus.idle();
  expect(out.FailedEntryCount).toBe(0);
  expect((await getBalance({ dynamodb: stack.dynamodb, tables: stack.tables }, 'victim')).remaining).toBe(100);
});

test("the replay key may publish too; an unsigned request may not; other sources are not the policy's business", async () => {
  const replay = stack.eventBridgeAs(stack.principals.replay);
  expect(
    (await replay.send(new PutEventsCommand({ Entries: [{ ...entries('replay-1')[1]! }] }))).FailedEntryCount,
  ).toBe(0);
  const other = await stack.eventBridgeAs(stack.principals.outsider).send(
    new PutEventsCommand({
      Entries: [
        { Source: 'someone.else', DetailType: 'video.rendered', Detail: '{}', EventBusName: stack.bus.busName },
      ],
    }),
  );
  expect(other.FailedEntryCount).toBe(0);
  // No credentials at all: the SDK signs nothing.
  const unsigned = new EventBridgeClient({
    endpoint: stack.endpoints.eventbridge,
    region: 'us-east-1',
    credentials: { accessKeyId: '', secretAccessKey: '' },
    signer: { sign: async (request: unknown) => request } as never,
  });
  const anonymous = await unsigned.send(new PutEventsCommand({ Entries: [entries('anon-1')[0]!] }));
  expect(anonymous.Entries![0]).toMatchObject({
    ErrorCode: 'AccessDeniedException',
    ErrorMessage: expect.stringMatching(/^an unsigned caller is not authorized/),
  });
  unsigned.destroy();
  await stack.bus.idle();
});

test('the policy itself: only its source, only unlisted callers', () => {
  const policy = publishPolicy(['KEY1']);
  const bus = 'arn:aws:events:us-east-1:1:event-bus/b';
  expect(refusalOf(policy, 'KEY1', 'video.generation', bus)).toBeUndefined();
  expect(refusalOf(policy, 'KEY2', 'video.generation', bus)).toMatchObject({ ErrorCode: 'AccessDeniedException' });
  expect(refusalOf(policy, undefined, 'video.generation', bus)).toMatchObject({ ErrorCode: 'AccessDeniedException' });
  expect(refusalOf(policy, 'KEY2', 'other.source', bus)).toBeUndefined();
  expect(refusalOf(undefined, 'KEY2', 'video.generation', bus)).toBeUndefined();
});
