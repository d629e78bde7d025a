/**
 * The edges of the event contract end to end: the real debit and refund handlers on DynamoDB Local
 * and fauxqs settle the largest and smallest valid values of each field, and send one step beyond
 * to the DLQ with a reason naming the field, changing nothing. (A quote of exactly 0 is tested at the
 * parser only: settling a zero price is the ledger core's, being fixed there.)
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { grantCredits } from '../../../shared/ledger/manual-entries';
import type { TableNames } from '../../../shared/tables';
import { readBooks } from '../../support/books';
import {
  ID_ALPHABET,
  MAX_CREDITS,
  MAX_EXTRA_ITEMS,
  MAX_ID,
  MAX_MODEL,
  MAX_REASON,
  MAX_REPLAY_COUNT,
  MAX_RESOURCES,
  MAX_SECONDS,
  idOf,
  largestExtraArray,
  largestExtraObject,
  nextUp,
  text,
} from '../../support/contract-bounds';
import { envelope } from '../../support/events';
import { buildHandlers, receiveAll } from '../../support/handler-harness';
import { dropTables, freshQueue, freshTables, localDynamo, localSqs } from '../../support/local-aws';

let db: DynamoDBClient;
let sqs: SQSClient;
let tables: TableNames;
let dlqUrl: string;
let h: ReturnType<typeof buildHandlers>;

const OPENING = 100;

beforeEach(async () => {
  db = localDynamo();
  sqs = localSqs();
  tables = await freshTables(db, 'edges');
  dlqUrl = await freshQueue(sqs);
  h = buildHandlers(db, sqs, tables, dlqUrl);
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
  sqs.destroy();
});

/** Enough credits for the largest prices (beyond the overdraft floor otherwise: held, tested elsewhere). */
const topUp = (userId: string, credits: number) =>
  grantCredits({ dynamodb: db, tables }, { userId, credits, reference: `top-up-${credits}`, description: 'top-up' });
const open = (userId: string) =>
  grantCredits(
    { dynamodb: db, tables },
    { userId, credits: OPENING, reference: `opening-${userId.length}`, description: 'opening' },
  );

describe('the largest and smallest valid values settle', () => {
  test.each([
    [`jobId and userId of ${MAX_ID} characters`, idOf(MAX_ID), idOf(MAX_ID, [...ID_ALPHABET].reverse().join(''))],
    ['jobId and userId of 1 character', 'j', 'u'],
    ['jobId and userId of every alphabet character', ID_ALPHABET, `u-${ID_ALPHABET}`],
  ])('%s: debited, refunded, under the ids as sent', async (_, jobId, userId) => {
    await open(userId);
    expect(await h.debit(envelope('rendered', { jobId, userId, model: 'test', seconds: 5 }, 'e-1'))).toMatchObject({
      status: 'settled',
      outcome: 'debited',
      credits: 1,
      jobId,
      userId,
    });
    expect(await h.refund(envelope('failed', { jobId, userId, model: 'test', seconds: 5 }, 'e-2'))).toMatchObject({
      outcome: 'refunded',
      credits: 1,
    });
    const books = await readBooks(db, tables);
    expect(books.balances[userId]).toBe(OPENING);
    expect(books.ledger.map((e) => e.ledgerId)).toEqual(
      expect.arrayContaining([`job#${jobId}#debit`, `job#${jobId}#refund`]),
    );
  });

  test.each([
    ['a model of 1 character', 'm'],
    [`a model of ${MAX_MODEL} characters`, text(MAX_MODEL, 'm')],
  ])('%s, quoted, is charged the quote', async (_, model) => {
    await open('user-1');
    expect(await h.debit(envelope('rendered', { model, credits: 3 }))).toMatchObject({
      outcome: 'debited',
      credits: 3,
    });
    expect((await readBooks(db, tables)).balances['user-1']).toBe(OPENING - 3);
  });

  test.each([
    ["just above 0 (Number.MIN_VALUE): one started second, the model's minimum", Number.MIN_VALUE, 5],
    [`${MAX_SECONDS}: one credit per second`, MAX_SECONDS, MAX_SECONDS],
  ])('seconds %s', async (_, seconds, credits) => {
    await open('user-1');
    await topUp('user-1', credits);
    expect(await h.debit(envelope('rendered', { seconds, model: 'gen-standard' }))).toMatchObject({
      outcome: 'debited',
      credits,
      anomalies: [],
    });
    expect((await readBooks(db, tables)).balances['user-1']).toBe(OPENING);
  });

  test(`a quote of ${MAX_CREDITS}: charged in full`, async () => {
    await open('user-1');
    await topUp('user-1', MAX_CREDITS);
    const response = await h.debit(envelope('rendered', { credits: MAX_CREDITS }));
    expect(response).toMatchObject({ outcome: 'debited', credits: MAX_CREDITS, anomalies: [] });
    expect((await readBooks(db, tables)).balances['user-1']).toBe(OPENING);
  });

  test.each([
    ['an empty reason', '', /job job-1$/],
    [
      `a reason of ${MAX_REASON} characters (the description keeps 200)`,
      text(MAX_REASON, 'r'),
      new RegExp(`job job-1: ${text(200, 'r')}$`),
    ],
  ])('a refund with %s', async (_, reason, description) => {
    await open('user-1');
    await h.debit(envelope('rendered', {}, 'e-1'));
    expect(await h.refund(envelope('failed', { reason }, 'e-2'))).toMatchObject({ outcome: 'refunded', credits: 8 });
    const refund = (await readBooks(db, tables)).ledger.find((e) => e.ledgerId === 'job#job-1#refund')!;
    expect(refund.description).toMatch(description);
  });

  test.each([
    ['an event id of 1 character', 'e'],
    [`an event id of ${MAX_ID} characters`, idOf(MAX_ID)],
  ])("%s is the settlement's event id", async (_, id) => {
    await open('user-1');
    expect(await h.debit(envelope('rendered', {}, id))).toMatchObject({ outcome: 'debited', eventId: id });
    expect((await readBooks(db, tables)).ledger.find((e) => e.ledgerId === 'job#job-1#debit')).toMatchObject({
      eventId: id,
    });
  });

  test.each([1, MAX_REPLAY_COUNT])(
    'a replayed event (replay.count %i) settles under its original id, once',
    async (count) => {
      await open('user-1');
      const original = idOf(MAX_ID);
      const replayed = envelope(
        'rendered',
        { replay: { count, originalEventId: original, dlqMessageId: '0f9c3c56-8a3e-4a5e-9d0c-3f2b1a7e6d54' } },
        'e-replayed',
      );
      expect(await h.debit(replayed)).toMatchObject({ outcome: 'debited', eventId: original });
      expect(await h.debit(envelope('rendered', {}, original))).toMatchObject({ outcome: 'duplicate' });
      expect((await readBooks(db, tables)).balances['user-1']).toBe(OPENING - 8);
    },
  );

  test.each([0, MAX_RESOURCES])('resources with %i items', async (n) => {
    await open('user-1');
    const event = {
      ...envelope('rendered'),
      resources: Array.from({ length: n }, (_, i) => `arn:aws:s3:::bucket/${i}/${text(2000, 'p')}`),
    };
    expect(await h.debit(event)).toMatchObject({ outcome: 'debited' });
  });

  test('the largest unknown fields allowed (an array and an object of 32 strings of 2048), in detail and envelope, are ignored', async () => {
    await open('user-1');
    const event = {
      ...envelope('rendered', { tags: largestExtraArray(), labels: largestExtraObject(), note: text(2048) }),
      extra: largestExtraObject(),
    };
    expect(await h.debit(event)).toMatchObject({ status: 'settled', outcome: 'debited', credits: 8 });
    expect((await readBooks(db, tables)).balances['user-1']).toBe(OPENING - 8);
  });
});

describe('one step beyond: invalid, in the DLQ with the reason naming the field, nothing changed', () => {
  test.each([
    [
      `jobId of ${MAX_ID + 1} characters`,
      envelope('rendered', { jobId: idOf(MAX_ID + 1) }),
      /\/detail\/jobId must NOT have more than 128 characters/,
    ],
    [
      'userId with a character outside the alphabet',
      envelope('rendered', { userId: 'user 1' }),
      /\/detail\/userId must match pattern/,
    ],
    [
      `model of ${MAX_MODEL + 1} characters`,
      envelope('rendered', { model: text(MAX_MODEL + 1, 'm'), credits: 3 }),
      /\/detail\/model must NOT have more than 64 characters/,
    ],
    ['seconds 0', envelope('rendered', { seconds: 0 }), /\/detail\/seconds must be > 0/],
    [
      `seconds just above ${MAX_SECONDS}`,
      envelope('rendered', { seconds: nextUp(MAX_SECONDS) }),
      /\/detail\/seconds must be <= 86400/,
    ],
    [
      `credits ${MAX_CREDITS + 1}`,
      envelope('rendered', { credits: MAX_CREDITS + 1 }),
      /\/detail\/credits must be <= 1000000/,
    ],
    ['credits -1', envelope('rendered', { credits: -1 }), /\/detail\/credits must be >= 0/],
    [
      `reason of ${MAX_REASON + 1} characters`,
      envelope('failed', { reason: text(MAX_REASON + 1) }),
      /\/detail\/reason must NOT have more than 2048 characters/,
    ],
    [
      `event id of ${MAX_ID + 1} characters`,
      envelope('rendered', {}, idOf(MAX_ID + 1)),
      /\/id must NOT have more than 128 characters/,
    ],
    ['event id empty', envelope('rendered', {}, ''), /\/id must NOT have fewer than 1 characters/],
    [
      `replay.count ${MAX_REPLAY_COUNT + 1}`,
      envelope('rendered', { replay: { count: MAX_REPLAY_COUNT + 1, originalEventId: 'o' } }),
      /\/detail\/replay\/count must be <= 100/,
    ],
    [
      'replay.count 0',
      envelope('rendered', { replay: { count: 0, originalEventId: 'o' } }),
      /\/detail\/replay\/count must be >= 1/,
    ],
    [
      `resources with ${MAX_RESOURCES + 1} items`,
      { ...envelope('rendered'), resources: Array.from({ length: MAX_RESOURCES + 1 }, () => 'arn:r') },
      /\/resources must NOT have more than 20 items/,
    ],
    [
      `an unknown array of ${MAX_EXTRA_ITEMS + 1} items`,
      envelope('rendered', { tags: [...largestExtraArray(), 'one more'] }),
      /\/detail\/tags must NOT have more than 32 items/,
    ],
    [
      'an unknown string of 2049 characters in the envelope',
      { ...envelope('rendered'), note: text(2049) },
      /\/note must NOT have more than 2048 characters/,
    ],
  ])('%s', async (_, event, reason) => {
    await open('user-1');
    const before = await readBooks(db, tables);
    const handler = (event as { 'detail-type': string })['detail-type'] === 'video.failed' ? h.refund : h.debit;
    const response = await handler(event);
    expect(response).toMatchObject({ status: 'invalid' });
    const dlq = await receiveAll(sqs, dlqUrl);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.MessageAttributes!['reconciler-details']?.StringValue).toMatch(reason);
    expect(dlq[0]!.Body).toBe(JSON.stringify(event));
    expect(await readBooks(db, tables)).toEqual(before);
  });
});
