/** `reconciler sweep` drives the same sweep: --dry-run changes nothing, a real run settles, --full audits everyone. */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { parseSince, sweepCommand } from '../../cli/commands/sweep';
import { createContext, EXIT } from '../../cli/context';
import { UsageError } from '../../shared/errors';
import type { SweepReport } from '../../shared/sweep';
import { dynamoEndpoint, freshTables, localDynamo } from '../support/local-aws';
import { HOUR_MS, ago, balance, grant, putJob } from '../support/producer-jobs';
import type { TableNames } from '../../shared/tables';

const db = localDynamo();

async function runCli(args: string[], tables: TableNames): Promise<{ code: number; report: SweepReport }> {
  const saved = {
    JOBS_TABLE: process.env.JOBS_TABLE,
    CREDITS_TABLE: process.env.CREDITS_TABLE,
    LEDGER_TABLE: process.env.LEDGER_TABLE,
    SETTLEMENTS_TABLE: process.env.SETTLEMENTS_TABLE,
  };
  Object.assign(process.env, {
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
  });
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const context = createContext({ json: true, endpoint: dynamoEndpoint(), region: 'us-east-1' });
    const code = await sweepCommand.run(args, context);
    return { code, report: JSON.parse(lines.join('')) as SweepReport };
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('dry run, real run, and --full through the CLI', async () => {
  const tables = await freshTables(db, 'cli');
  const ledger = { dynamodb: db, tables };
  await grant(ledger, 'u1', 100);
  await putJob(db, tables, {
    jobId: 'lost',
    userId: 'u1',
    model: 'test',
    seconds: 5,
    status: 'rendered',
    updatedAt: ago(HOUR_MS),
  });

  const dry = await runCli(['--dry-run'], tables);
  expect(dry.code).toBe(EXIT.ok);
  expect(dry.report.result).toMatchObject({ dryRun: true, stragglers: { count: 1 } });
  expect(await balance(ledger, 'u1')).toBe(100);

  const real = await runCli(['--budget-seconds', '60'], tables);
  expect(real.code).toBe(EXIT.ok);
  expect(real.report.result.stragglers.count).toBe(1);
  expect(real.report.alert?.body).toContain('lost (u1, debited 1)');
  expect(await balance(ledger, 'u1')).toBe(99);

  await db.send(
    new UpdateItemCommand({
      TableName: tables.credits,
      Key: { userId: { S: 'u1' } },
      UpdateExpression: 'ADD remaining :d',
      ExpressionAttributeValues: { ':d': { N: '5' } },
    }),
  );
  const full = await runCli(['--full'], tables);
  expect(full.code).toBe(EXIT.findings);
  expect(full.report.result.drift.first).toEqual([
    { userId: 'u1', remaining: 104, ledgerSum: 99, difference: 5, holds: { held: 0, activeHolds: 0, available: 99 } },
  ]);
});

test('human output: a producer-written job id with terminal escapes is shown escaped; --json keeps it exactly (L2)', async () => {
  const tables = await freshTables(db, 'cli-esc');
  const jobId = 'bad\u001b[2J\u001b]0;pwned\u0007\u202e';
  // A record without a model breaks the producer contract: the sweep reports it by its id.
  await putJob(db, tables, { jobId, userId: 'u1', seconds: 5, status: 'rendered', updatedAt: ago(HOUR_MS) });
  const saved = {
    JOBS_TABLE: process.env.JOBS_TABLE,
    CREDITS_TABLE: process.env.CREDITS_TABLE,
    LEDGER_TABLE: process.env.LEDGER_TABLE,
    SETTLEMENTS_TABLE: process.env.SETTLEMENTS_TABLE,
  };
  Object.assign(process.env, {
    JOBS_TABLE: tables.jobs,
    CREDITS_TABLE: tables.credits,
    LEDGER_TABLE: tables.ledger,
    SETTLEMENTS_TABLE: tables.settlements,
  });
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await sweepCommand.run(
      ['--dry-run'],
      createContext({ json: false, endpoint: dynamoEndpoint(), region: 'us-east-1' }),
    );
    expect(code).toBe(EXIT.findings);
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const text = lines.join('');
  expect(text).toContain('  - bad\\x1b[2J\\x1b]0;pwned\\x07\\u202e: ');
  expect([...text].filter((c) => c !== '\n' && (c.charCodeAt(0) < 0x20 || c === '\u202e'))).toEqual([]);
  expect((await runCli(['--dry-run'], tables)).report.result.badRecords.first[0]!.jobId).toBe(jobId);
});

test('--since accepts durations and ISO times, and rejects anything else', () => {
  const now = new Date('2026-03-01T12:00:00.000Z');
  expect(parseSince('24h', now).toISOString()).toBe('2026-02-28T12:00:00.000Z');
  expect(parseSince('7d', now).toISOString()).toBe('2026-02-22T12:00:00.000Z');
  expect(parseSince('2026-02-01T00:00:00Z', now).toISOString()).toBe('2026-02-01T00:00:00.000Z');
  expect(() => parseSince('yesterday', now)).toThrow(UsageError);
  expect(() => parseSince('2027-01-01T00:00:00Z', now)).toThrow(UsageError);
});
