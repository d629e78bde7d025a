/** The operator CLI in-process against DynamoDB Local: outputs, idempotency, exit codes. */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ledgerItem } from '../../shared/ledger/ledger-entry';
import type { TableNames } from '../../shared/tables';
import { capturedCli, pointCliAt } from '../support/cli-run';
import { dropTables, freshTables, localDynamo } from '../support/local-aws';

let db: DynamoDBClient;
let tables: TableNames;
const run = capturedCli();

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTables(db, 'cli');
  pointCliAt(tables);
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

describe('reconciler CLI', () => {
  test('grant is atomic with its ledger entry and idempotent by reference', async () => {
    expect((await run('grant', '--user', 'u1', '--credits', '100', '--reference', 'topup-1')).code).toBe(0);
    const again = await run('grant', '--user', 'u1', '--credits', '100', '--reference', 'topup-1', '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ status: 'already_applied', ledgerId: 'grant#topup-1' });
    const balance = await run('balance', '--user', 'u1', '--json');
    expect(JSON.parse(balance.out)).toMatchObject({ userId: 'u1', remaining: 100 });
  });

  test('the same reference with different content is refused (exit 4), nothing changes', async () => {
    await run('grant', '--user', 'u1', '--credits', '100', '--reference', 'topup-1');
    const conflict = await run('grant', '--user', 'u1', '--credits', '50', '--reference', 'topup-1');
    expect(conflict.code).toBe(4);
    expect(conflict.err).toMatch(/reference topup-1 already used/);
    expect(JSON.parse((await run('balance', '--user', 'u1', '--json')).out).remaining).toBe(100);
  });

  test('adjust needs a reason, guards the balance unless --allow-negative', async () => {
    await run('grant', '--user', 'u1', '--credits', '10', '--reference', 'g');
    expect((await run('adjust', '--user', 'u1', '--credits=-5', '--reference', 'a1')).code).toBe(2);
    const refused = await run(
      'adjust',
      '--user',
      'u1',
      '--credits=-50',
      '--reference',
      'a1',
      '--description',
      'chargeback',
    );
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/fewer than 50 credits/);
    expect(
      (
        await run(
          'adjust',
          '--user',
          'u1',
          '--credits=-50',
          '--reference',
          'a1',
          '--description',
          'chargeback',
          '--allow-negative',
        )
      ).code,
    ).toBe(0);
    expect(JSON.parse((await run('balance', '--user', 'u1', '--json')).out).remaining).toBe(-40);
  });

  test('ledger pages through a user history newest first', async () => {
    for (let i = 0; i < 5; i++) await run('grant', '--user', 'u1', '--credits', String(i + 1), '--reference', `g${i}`);
    const first = JSON.parse((await run('ledger', '--user', 'u1', '--limit', '2', '--json')).out);
    expect(first.entries).toHaveLength(2);
    expect(first.next).toBeDefined();
    const second = JSON.parse(
      (await run('ledger', '--user', 'u1', '--limit', '2', '--cursor', first.next, '--json')).out,
    );
    expect(second.entries).toHaveLength(2);
    expect(new Set([...first.entries, ...second.entries].map((e: { ledgerId: string }) => e.ledgerId)).size).toBe(4);
  });

  test('audit: drift 0 → exit 0; a balance tampered with directly → exit 1 and the user listed', async () => {
    await run('grant', '--user', 'u1', '--credits', '10', '--reference', 'g1');
    await run('grant', '--user', 'u2', '--credits', '20', '--reference', 'g2');
    const clean = await run('audit');
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/drift: 0/);
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'u2' } },
        UpdateExpression: 'SET remaining = :r',
        ExpressionAttributeValues: { ':r': { N: '25' } },
      }),
    );
    const drift = await run('audit', '--json');
    expect(drift.code).toBe(1);
    // Set by hand, `remaining` also disagrees with the balance's own `available` (still 20).
    expect(JSON.parse(drift.out).drift).toEqual([
      { userId: 'u2', remaining: 25, ledgerSum: 20, difference: 5, holds: { held: 0, activeHolds: 0, available: 20 } },
    ]);
  });

  test('audit: a balanced forgery (a refund with no debit, credited to its balance) → exit 1 and the entry listed', async () => {
    await run('grant', '--user', 'u1', '--credits', '10', '--reference', 'g1');
    await db.send(
      new PutItemCommand({
        TableName: tables.ledger,
        Item: ledgerItem({
          ledgerId: 'job#ghost#refund',
          userId: 'u1',
          timestamp: new Date().toISOString(),
          type: 'credit',
          kind: 'refund',
          amount: 90,
          reference: 'ghost',
          eventId: 'x',
          description: 'x',
        }),
      }),
    );
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'ADD remaining :d, available :d',
        ExpressionAttributeValues: { ':d': { N: '90' } },
      }),
    );
    const human = await run('audit');
    expect(human.code).toBe(1);
    expect(human.out).toMatch(
      /UNJUSTIFIED: 1 ledger entry the reconciler could not have written\n {2}job#ghost#refund \(user u1\): refund of 90 for job ghost has no debit in the ledger/,
    );
    expect(human.out).not.toMatch(/DRIFT/);
  });

  test.each([
    [['grant', '--user', 'u1', '--credits', '1.5', '--reference', 'r'], /whole number/],
    [['grant', '--user', 'u1', '--credits', '0', '--reference', 'r'], /non-zero integer/],
    [['grant', '--user', 'u1', '--credits', '-3', '--reference', 'r'], /argument is ambiguous|must be positive/],
    [['grant', '--credits', '5', '--reference', 'r'], /missing --user/],
    [['grant', '--user', 'bad user!', '--credits', '5', '--reference', 'r'], /user id/],
    [['grant', '--user', 'u1', '--credits', '5', '--reference', 'r', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown command/],
  ])('bad arguments %j → exit 2 with a clear message, nothing written', async (args, message) => {
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect((await run('audit', '--json')).out).toContain('"ledgerEntries":0');
  });

  test('an unreachable endpoint → exit 3 naming the endpoint', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:9';
    const result = await run('balance', '--user', 'u1');
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/cannot reach DynamoDB at http:\/\/127.0.0.1:9/);
  });

  test('a missing table → exit 3 with what to do', async () => {
    process.env.CREDITS_TABLE = 'Credits-nope';
    const result = await run('balance', '--user', 'u1');
    expect(result.code).toBe(3);
    expect(result.err).toMatch(/tables create|make apply/);
  });
});
