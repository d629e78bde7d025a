/** `reconciler statement` against DynamoDB Local: opening, entries with job and event, holds, closing, audit. */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { grantCredits } from '../../shared/ledger/manual-entries';
import { settleEvent } from '../../shared/ledger/settle';
import type { LedgerDeps } from '../../shared/ledger/types';
import type { TableNames } from '../../shared/tables';
import { capturedCli, pointCliAt } from '../support/cli-run';
import { dropTables, freshTables, localDynamo } from '../support/local-aws';

let db: DynamoDBClient;
let tables: TableNames;
const run = capturedCli();
const at = (iso: string) => () => new Date(iso);

beforeAll(async () => {
  db = localDynamo();
  tables = await freshTables(db, 'stmt');
  const deps = (iso: string): LedgerDeps => ({ dynamodb: db, tables, now: at(iso) });
  await grantCredits(deps('2026-10-15T09:00:00Z'), {
    userId: 'u1',
    credits: 5000,
    reference: 'topup-oct',
    description: 'October top-up',
  });
  await settleEvent(
    deps('2026-11-02T10:00:00Z'),
    { eventId: 'evt-job-a', kind: 'rendered', jobId: 'job-a', userId: 'u1', seconds: 12, model: 'gen-standard' },
    1200,
  );
  await settleEvent(
    deps('2026-11-20T10:00:00Z'),
    { eventId: 'evt-job-b', kind: 'rendered', jobId: 'job-b', userId: 'u1', seconds: 12, model: 'gen-standard' },
    300,
  );
  await grantCredits(deps('2026-12-01T09:00:00Z'), {
    userId: 'u1',
    credits: 100,
    reference: 'topup-dec',
    description: 'December top-up',
  });
  pointCliAt(tables);
});
afterAll(async () => {
  await dropTables(db, tables);
  db.destroy();
});

describe('reconciler statement', () => {
  test('all time: opening 0, every entry with its job and event, closing = balance, matches the audit', async () => {
    const { code, out } = await run('statement', '--user', 'u1', '--json');
    expect(code).toBe(0);
    const s = JSON.parse(out);
    expect(s.opening).toBe(0);
    expect(s.entries.map((e: { reference: string; signed: number }) => [e.reference, e.signed])).toEqual([
      ['topup-oct', 5000],
      ['job-a', -1200],
      ['job-b', -300],
      ['topup-dec', 100],
    ]);
    expect(s.entries[1]).toMatchObject({ eventId: 'evt-job-a', balanceAfter: 3800 });
    expect(s.closing).toBe(3600);
    expect(s.balance.remaining).toBe(3600);
    expect(s.audit).toMatchObject({ matches: true, status: 'ok', unjustified: 0 });
  });

  test('a date range: earlier entries become the opening balance, later ones are left out', async () => {
    const { code, out } = await run(
      'statement',
      '--user',
      'u1',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30T23:59:59Z',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/opening balance\s+5,000/);
    expect(out).toMatch(/-1,200\s+→\s+3,800\s+render\s+job\/ref job-a\s+event evt-job-a/);
    expect(out).toContain('job/ref job-b');
    expect(out).not.toContain('topup-dec');
    expect(out).toMatch(/closing balance\s+3,500/);
    expect(out).toContain('matches the audit');
  });

  test('an empty user: no entries, zero balances, still agrees with the audit', async () => {
    const { code, out } = await run('statement', '--user', 'nobody');
    expect(code).toBe(0);
    expect(out).toContain('(no ledger entries in this range)');
    expect(out).toMatch(/closing balance\s+0/);
    expect(out).toContain('holds: none active');
  });

  test('--html writes the page, user data escaped', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stmt-')), 'u1.html');
    expect((await run('statement', '--user', 'u1', '--html', file)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<td>job-a</td><td>evt-job-a</td>');
    expect(html).toContain('Closing balance: <b>3,600</b>');
  });

  test('a tampered balance is reported as not matching (exit 1)', async () => {
    await db.send(
      new UpdateItemCommand({
        TableName: tables.credits,
        Key: { userId: { S: 'u1' } },
        UpdateExpression: 'SET remaining = remaining + :x',
        ExpressionAttributeValues: { ':x': { N: '7' } },
      }),
    );
    try {
      const { code, out } = await run('statement', '--user', 'u1');
      expect(code).toBe(1);
      expect(out).toContain('DOES NOT MATCH the audit: balance and ledger disagree by +7');
    } finally {
      await db.send(
        new UpdateItemCommand({
          TableName: tables.credits,
          Key: { userId: { S: 'u1' } },
          UpdateExpression: 'SET remaining = remaining - :x',
          ExpressionAttributeValues: { ':x': { N: '7' } },
        }),
      );
    }
  });

  test('--from after --to is a usage error', async () => {
    expect((await run('statement', '--user', 'u1', '--from', '2026-12-01', '--to', '2026-11-01')).code).toBe(2);
  });
});
