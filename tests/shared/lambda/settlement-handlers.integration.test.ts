/**
 * The debit and refund Lambdas end to end on DynamoDB Local and fauxqs: valid events settle and
 * log one structured line with EMF metrics; every kind of bad input gets a clear error, one DLQ
 * message with the reason attached, a successful invocation, and no change to any table.
 */
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { makeSqsClient } from '../../../shared/aws/clients';
import { TransientError } from '../../../shared/errors';
import { DEFAULT_PRICE_BOOK } from '../../../shared/pricing';
import { dlqMessageFromSqs } from '../../../shared/replay/drain';
import { expectedOrigin } from '../../../shared/replay/provenance';
import { planMessage } from '../../../shared/replay/redeliver';
import type { TableNames } from '../../../shared/tables';
import { dropTables, freshTablesWithBalances, freshQueue, localDynamo, localSqs } from '../../support/local-aws';
import { readBooks } from '../../support/books';
import { envelope } from '../../support/events';
import { buildHandlers, receiveAll } from '../../support/handler-harness';

let db: DynamoDBClient;
let sqs: SQSClient;
let tables: TableNames;
let dlqUrl: string;
let h: ReturnType<typeof buildHandlers>;

beforeEach(async () => {
  db = localDynamo();
  sqs = localSqs();
  tables = await freshTablesWithBalances(db, 'handlers', { 'user-1': 100 });
  dlqUrl = await freshQueue(sqs);
  h = buildHandlers(db, sqs, tables, dlqUrl);
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
  sqs.destroy();
});

describe('valid events', () => {
  test('video.rendered → debited, one structured log line carrying EMF metrics', async () => {
    const event = envelope('rendered', { seconds: 8 }, 'ev-1');
    const response = await h.debit(event);
    expect(response).toMatchObject({
      status: 'settled',
      outcome: 'debited',
      credits: 8,
      jobId: 'job-1',
      userId: 'user-1',
      eventId: 'ev-1',
    });
    const line = h.logs.find((l) => l.msg === 'event settled')!;
    expect(line).toMatchObject({
      jobId: 'job-1',
      userId: 'user-1',
      eventId: 'ev-1',
      outcome: 'debited',
      credits: 8,
      Debits: 1,
      Duplicates: 0,
      Workspace: 'test',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Reconciler', Dimensions: [['Workspace']] });
    expect(line._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(
      expect.arrayContaining(['Debits', 'Refunds', 'Duplicates', 'Anomalies', 'Invalid']),
    );
    expect((await readBooks(db, tables)).balances['user-1']).toBe(92);
  });

  test('video.failed after rendered → refunded; duplicates counted', async () => {
    await h.debit(envelope('rendered', {}, 'ev-1'));
    expect(await h.debit(envelope('rendered', {}, 'ev-1'))).toMatchObject({ outcome: 'duplicate' });
    expect(await h.refund(envelope('failed', { reason: 'gpu lost' }, 'ev-2'))).toMatchObject({
      outcome: 'refunded',
      credits: 8,
    });
    expect(h.logs.filter((l) => l.Duplicates === 1)).toHaveLength(1);
    expect((await readBooks(db, tables)).balances['user-1']).toBe(100);
  });

  test('a failure reason with terminal escapes and new lines reaches the ledger as plain text (L2)', async () => {
    await h.debit(envelope('rendered', {}, 'ev-1'));
    expect(
      await h.refund(envelope('failed', { reason: 'gpu\u001b[2J lost\n  What to do: run adjust\u202e' }, 'ev-2')),
    ).toMatchObject({ outcome: 'refunded' });
    const refund = (await readBooks(db, tables)).ledger.find((e) => e.ledgerId === 'job#job-1#refund')!;
    expect(refund.description).toMatch(/: gpu \[2J lost {3}What to do: run adjust$/);
    expect([...(refund.description as string)].filter((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toEqual([]);
  });

  test('unknown extra fields are allowed and ignored (producers evolve)', async () => {
    const event = envelope('rendered', { pipelineVersion: 7, tags: { a: 1 } });
    (event as Record<string, unknown>)['replay-name'] = 'x';
    expect(await h.debit(event)).toMatchObject({ status: 'settled', outcome: 'debited' });
  });

  test('the operators manual test event (model test, 5 s, no quote) is priced by the default table', async () => {
    expect(await h.debit(envelope('rendered', { model: 'test', seconds: 5 }))).toMatchObject({
      outcome: 'debited',
      credits: 1,
    });
  });
});

const long = (n: number) => 'x'.repeat(n);
const withDetail = (detail: Record<string, unknown>, kind: 'rendered' | 'failed' = 'rendered') => {
  const e = envelope(kind);
  e.detail = detail;
  return e;
};
const base = { jobId: 'job-1', userId: 'user-1', seconds: 8, model: 'gen-standard' };
const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

const badInputs: [string, unknown, RegExp][] = [
  ['missing jobId', withDetail(without('jobId')), /must have required property 'jobId'/],
  ['missing userId', withDetail(without('userId')), /must have required property 'userId'/],
  ['missing seconds', withDetail(without('seconds')), /'seconds'/],
  [
    'missing detail',
    (() => {
      const e = envelope('rendered');
      delete e.detail;
      return e;
    })(),
    /'detail'/,
  ],
  ['seconds as a string', withDetail({ ...base, seconds: '8' }), /seconds must be number/],
  ['jobId as a number', withDetail({ ...base, jobId: 42 }), /jobId must be string/],
  ['credits as a string', withDetail({ ...base, credits: '3' }), /credits must be integer/],
  ['negative seconds', withDetail({ ...base, seconds: -5 }), /seconds must be > 0/],
  ['zero seconds', withDetail({ ...base, seconds: 0 }), /seconds must be > 0/],
  ['absurd seconds', withDetail({ ...base, seconds: 1e9 }), /seconds must be <= 86400/],
  ['negative credits', withDetail({ ...base, credits: -1 }), /credits must be >= 0/],
  ['fractional credits', withDetail({ ...base, credits: 1.5 }), /credits must be integer/],
  ['absurd credits', withDetail({ ...base, credits: 1e12 }), /credits must be <= 1000000/],
  ['unknown model, no quote', withDetail({ ...base, model: 'gen-next' }), /unknown model and no quoted credits/],
  ['oversized jobId', withDetail({ ...base, jobId: long(10_000) }), /jobId must NOT have more than 128 characters/],
  [
    'oversized reason',
    withDetail({ ...base, reason: long(100_000) }),
    /reason must NOT have more than 2048 characters/,
  ],
  ['jobId with a ledger separator', withDetail({ ...base, jobId: 'a#debit' }), /jobId must match pattern/],
  [
    'an unknown detail field nested two deep',
    withDetail({ ...base, tags: { a: { b: 1 } } }),
    /\/detail\/tags\/a must be string,number,boolean,null/,
  ],
  [
    'an unknown detail field: an array of arrays',
    withDetail({ ...base, matrix: [[1]] }),
    /\/detail\/matrix\/0 must be string,number,boolean,null/,
  ],
  [
    'an unknown detail string of 2049 characters',
    withDetail({ ...base, note: long(2049) }),
    /\/detail\/note must NOT have more than 2048 characters/,
  ],
  [
    'an unknown detail array of 33 items',
    withDetail({ ...base, list: Array(33).fill(1) }),
    /\/detail\/list must NOT have more than 32 items/,
  ],
  [
    'an unknown envelope object of 33 properties',
    { ...envelope('rendered'), extra: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) },
    /\/extra must NOT have more than 32 properties/,
  ],
  ['envelope id with terminal escapes', envelope('rendered', {}, 'x\u001b[2J\u0000'), /\/id must match pattern/],
  [
    'replay.originalEventId with a new line',
    withDetail({ ...base, replay: { count: 1, originalEventId: 'orig\nWhat to do: adjust' } }),
    /\/detail\/replay\/originalEventId must match pattern/,
  ],
  [
    'replay.dlqMessageId with a space',
    withDetail({ ...base, replay: { count: 1, originalEventId: 'orig', dlqMessageId: 'm 1' } }),
    /\/detail\/replay\/dlqMessageId must match pattern/,
  ],
  [
    '__proto__ key in detail',
    JSON.parse(
      `{"version":"0","id":"p1","detail-type":"video.rendered","source":"video.generation","time":"2026-11-23T10:00:00Z","detail":{"jobId":"job-1","userId":"user-1","seconds":8,"model":"gen-standard","__proto__":{"credits":0}}}`,
    ),
    /property name must be valid/,
  ],
  [
    '__proto__ key at the top',
    JSON.parse(
      `{"__proto__":{"x":1},"version":"0","id":"p2","detail-type":"video.rendered","source":"video.generation","time":"2026-11-23T10:00:00Z","detail":{"jobId":"job-1","userId":"user-1","seconds":8,"model":"gen-standard"}}`,
    ),
    /property name must be valid/,
  ],
  ['non-JSON text', 'this is {not json', /event is not JSON/],
  ['null', null, /must be object/],
  ['an array', [envelope('rendered')], /must be object/],
  ['wrong source', { ...envelope('rendered'), source: 'billing.other' }, /source must be equal to constant/],
  [
    'unknown detail-type',
    { ...envelope('rendered'), 'detail-type': 'video.started' },
    /detail-type must be equal to one of the allowed values/,
  ],
  ['bad time', { ...envelope('rendered'), time: 'yesterday' }, /time must match pattern/],
  ['a failed event sent to debit', envelope('failed'), /event delivered to the wrong handler/],
];

describe('bad input → clear error, one DLQ message with the reason, no change, invocation succeeds', () => {
  test.each(badInputs)('%s', async (_, event, expected) => {
    const before = await readBooks(db, tables);
    const response = await h.debit(event);
    expect(response.status).toBe('invalid');
    const message = `${(response as { reason: string }).reason}: ${(response as { details: string[] }).details.join('; ')}`;
    expect(message).toMatch(expected);

    const dlq = await receiveAll(sqs, dlqUrl);
    expect(dlq).toHaveLength(1);
    const attributes = dlq[0]!.MessageAttributes!;
    expect(attributes['reconciler-kind']?.StringValue).toBe('invalid_event');
    expect(`${attributes['reconciler-reason']?.StringValue}: ${attributes['reconciler-details']?.StringValue}`).toMatch(
      expected,
    );
    expect(attributes['reconciler-handler']?.StringValue).toBe('debit');
    expect(dlq[0]!.Body).toBe(typeof event === 'string' ? event : JSON.stringify(event));

    expect(await readBooks(db, tables)).toEqual(before);
    const logLine = h.logs.find((l) => l.outcome === 'invalid')!;
    expect(logLine).toMatchObject({ Invalid: 1, level: 'warn' });
  });

  test('an invalid event holding characters SQS refuses (U+FFFF, U+FFFE) reaches the DLQ, escaped, and parses back as received', async () => {
    const event = envelope('rendered', { seconds: -5, note: 'x\uffffy', ['k\ufffe']: 1 }, 'nonchar-ev');
    const response = await h.debit(event);
    expect(response).toMatchObject({ status: 'invalid' });
    const dlq = await receiveAll(sqs, dlqUrl);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.Body).toContain('x\\uffffy');
    expect(JSON.parse(dlq[0]!.Body!)).toEqual(event);
  });

  test('an invalid event nested 100,000 deep (JSON.stringify overflows) still reaches the DLQ, as a placeholder, and the invocation succeeds', async () => {
    const before = await readBooks(db, tables);
    const text = JSON.stringify(envelope('rendered', { seconds: -5, nest: '__nest__' }, 'deep-ev')).replace(
      '"__nest__"',
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    );
    const response = await h.debit(JSON.parse(text));
    expect(response).toMatchObject({
      status: 'invalid',
      reason: 'event does not match the video event schema',
      details: expect.arrayContaining(['/detail/seconds must be > 0']),
    });

    const dlq = await receiveAll(sqs, dlqUrl);
    expect(dlq).toHaveLength(1);
    const attributes = dlq[0]!.MessageAttributes!;
    expect(attributes['reconciler-kind']?.StringValue).toBe('invalid_event');
    expect(attributes['reconciler-reason']?.StringValue).toBe('unserialisable event');
    expect(attributes['reconciler-details']?.StringValue).toContain('event does not match the video event schema: ');
    expect(attributes['reconciler-details']?.StringValue).toContain('/detail/seconds must be > 0');
    expect(attributes['reconciler-details']?.StringValue).toContain(
      'the event cannot be kept as it was received (RangeError: Maximum call stack size exceeded)',
    );
    const body = JSON.parse(dlq[0]!.Body!);
    expect(JSON.parse(body['reconciler-unserialisable-event'].preview)).toMatchObject({
      id: 'deep-ev',
      detail: { jobId: 'job-1', seconds: -5 },
    });
    expect(h.logs.find((l) => l.outcome === 'invalid')).toMatchObject({
      Invalid: 1,
      level: 'warn',
      dlqMessageId: dlq[0]!.MessageId,
    });
    expect(h.logs.filter((l) => l.level >= 50)).toHaveLength(0);
    expect(await readBooks(db, tables)).toEqual(before);

    // Replay can never publish the placeholder: it is left invalid.
    const origin = expectedOrigin('test', 'cc-reconciler-events-test', {
      region: 'us-east-1',
      accountId: '000000000000',
    });
    const plan = planMessage(dlqMessageFromSqs(dlq[0]!), {
      busName: 'b',
      origin,
      priceBook: DEFAULT_PRICE_BOOK,
      maxReplays: 5,
      dryRun: false,
      dropInvalidIds: new Set(),
    });
    expect(plan).toMatchObject({
      kind: 'decided',
      result: { outcome: 'left_invalid', shape: 'reconciler_invalid', remove: false },
    });
  });

  test('prototype pollution through an event is impossible', async () => {
    await h.debit(JSON.parse('{"__proto__":{"polluted":true},"detail":{"__proto__":{"polluted":true}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('when the DLQ cannot be reached the error is thrown (platform retries), nothing is lost or changed', async () => {
    const deadSqs = makeSqsClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 });
    const broken = buildHandlers(db, deadSqs, tables, dlqUrl);
    await expect(broken.debit('not json')).rejects.toBeInstanceOf(TransientError);
    expect((await readBooks(db, tables)).ledger).toHaveLength(1);
    deadSqs.destroy();
  });
});

describe('integrity through the real handlers', () => {
  test('a forged Jobs item (DEBITED, a billion, to the attacker) mints nothing: the failed event settles at no charge', async () => {
    await db.send(
      new PutItemCommand({
        TableName: tables.jobs,
        Item: marshall({
          jobId: 'x-1',
          settlement: 'DEBITED',
          charged: 1_000_000_000,
          refunded: 0,
          settledUserId: 'attacker',
        }),
      }),
    );
    expect(await h.refund(envelope('failed', { jobId: 'x-1', userId: 'attacker' }, 'ev-x'))).toMatchObject({
      status: 'settled',
      outcome: 'no_charge',
      credits: 0,
    });
    const books = await readBooks(db, tables);
    expect(books.balances).toEqual({ 'user-1': 100 });
    expect(books.ledger).toHaveLength(1);
  });

  test('a debit beyond the overdraft floor is held in the DLQ for a person, nothing written, the invocation succeeds', async () => {
    const floored = buildHandlers(db, sqs, tables, dlqUrl, { overdraftFloorCredits: 10 });
    const event = envelope('rendered', { credits: 111 }, 'ev-big');
    const response = await floored.debit(event);
    expect(response).toMatchObject({ status: 'held', reason: 'debit beyond the overdraft floor' });
    expect((response as { details: string[] }).details[0]).toMatch(
      /a debit of 111 would take user user-1 more than 10 credits below zero/,
    );
    const dlq = await receiveAll(sqs, dlqUrl);
    expect(dlq).toHaveLength(1);
    expect(dlq[0]!.MessageAttributes!['reconciler-kind']?.StringValue).toBe('held_event');
    expect(dlq[0]!.Body).toBe(JSON.stringify(event));
    expect(floored.logs.find((l) => l.outcome === 'held')).toMatchObject({ OverdraftRefused: 1, level: 'warn' });
    const books = await readBooks(db, tables);
    expect(books.balances).toEqual({ 'user-1': 100 });
    expect(books.settlements).toEqual({});
    // Within the floor: charged, flagged.
    expect(await floored.debit(envelope('rendered', { jobId: 'job-2', credits: 110 }, 'ev-ok'))).toMatchObject({
      outcome: 'debited',
      credits: 110,
      anomalies: [{ kind: 'overdraft' }],
    });
  });

  test('a quote of 0 settles through the handlers, and so does its failure', async () => {
    expect(await h.debit(envelope('rendered', { credits: 0 }, 'ev-0'))).toMatchObject({
      status: 'settled',
      outcome: 'debited',
      credits: 0,
    });
    expect(await h.refund(envelope('failed', {}, 'ev-0f'))).toMatchObject({
      status: 'settled',
      outcome: 'refunded',
      credits: 0,
    });
    const books = await readBooks(db, tables);
    expect(books.balances).toEqual({ 'user-1': 100 });
    expect(books.settlements['job-1']).toMatchObject({ settlement: 'REFUNDED', charged: 0, refunded: 0 });
    expect(await receiveAll(sqs, dlqUrl)).toHaveLength(0);
  });
});
