/**
 * The smoke test against the local stack: DynamoDB Local, fauxqs and the local EventBridge with the
 * real debit/refund handlers behind it, driven through the CLI command exactly as an operator runs
 * it. Green on a healthy stack, re-runnable at once with the books balanced; each scenario red
 * when what it checks is broken.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { runSmokeCommand } from '../../cli/commands/smoke';
import { createContext, EXIT } from '../../cli/context';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { settlementTargets } from '../../local/eventbridge/targets';
import { adjustCredits } from '../../shared/ledger/manual-entries';
import { getBalance } from '../../shared/ledger/queries';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import { SMOKE_USER_ID, newRunId, type SmokeReport } from '../../ops/smoke';
import { LEDGER_BY_USER_INDEX } from '../../shared/tables';
import { dynamoEndpoint, sqsEndpoint } from '../support/local-aws';

let stack: LocalStack;
const savedEnv = { ...process.env };

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: dynamoEndpoint(), sqsEndpoint: sqsEndpoint() });
  Object.assign(process.env, stack.env());
});
afterAll(async () => {
  for (const key of Object.keys(stack.env())) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await stack.stop();
});
afterEach(async () => {
  await stack.bus.idle();
  stack.deployPriceBook(DEFAULT_PRICE_BOOK); // puts the real handlers back
});

async function smoke(args: string[] = []): Promise<{ code: number; report: SmokeReport; text: string }> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await runSmokeCommand(
      ['--timeout-seconds', '5', '--quiet-seconds', '1', ...args],
      createContext({ json: true, workspace: stack.workspace }),
      { pollMs: 25 },
    );
    const report = JSON.parse(lines.join('')) as SmokeReport;
    // The same report, as a person reads it.
    const { formatSmokeReport } = await import('../../cli/commands/smoke');
    return { code, report, text: formatSmokeReport(report, stack.workspace) };
  } finally {
    spy.mockRestore();
  }
}

/** Σ credit − Σ debit of the user's ledger (docs/design.md#2-money-rules's invariant), read from the byUser index. */
async function ledgerSum(userId: string): Promise<number> {
  let sum = 0;
  let start: Record<string, never> | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await stack.dynamodb.send(
      new QueryCommand({
        TableName: stack.tables.ledger,
        IndexName: LEDGER_BY_USER_INDEX,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': { S: userId } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) {
      const e = unmarshall(item);
      sum += e.type === 'credit' ? Number(e.amount) : -Number(e.amount);
    }
    start = out.LastEvaluatedKey as typeof start;
    if (!start) break;
  }
  return sum;
}
const ledger = () => ({ dynamodb: stack.dynamodb, tables: stack.tables });
const balanceOf = async (userId: string) => (await getBalance(ledger(), userId)).remaining;

test('all four scenarios pass on a healthy stack, re-run at once, books balanced through the ledger', async () => {
  const first = await smoke();
  expect(first.report.scenarios.map((s) => [s.name, s.ok])).toEqual([
    ['debit', true],
    ['ledger', true],
    ['refund', true],
    ['duplicate', true],
  ]);
  expect(first.code).toBe(EXIT.ok);
  expect(first.report.balance).toEqual({ before: 0, granted: 100, start: 100, end: 99 });
  expect(first.text).toMatch(/PASS {2}debit +balance 100 → 99 \(expected 99\), job DEBITED charged 1/);
  expect(first.text).toMatch(
    new RegExp(
      `PASS {2}ledger +job#smoke-${first.report.runId}-debit#debit: debit of 1 \\(render\\) for ${SMOKE_USER_ID}`,
    ),
  );
  expect(first.text).toMatch(
    /PASS {2}refund +job REFUNDED \(charged 1, refunded 1\), balance 99 → 99 \(expected net 0\), refund entry credit of 1/,
  );
  expect(first.text).toMatch(/PASS {2}duplicate +same rendered event again: balance 99 → 99/);

  const second = await smoke();
  expect(second.code).toBe(EXIT.ok);
  expect(second.report.runId).not.toBe(first.report.runId);
  expect(second.report.balance).toEqual({ before: 99, granted: 1, start: 100, end: 99 });
  await stack.bus.idle();
  expect(await ledgerSum(SMOKE_USER_ID)).toBe(await balanceOf(SMOKE_USER_ID));
  expect(await stack.dlqDepth()).toBe(0);
});

test('a balance above 100 is not taken away: no grant, and the checks are relative', async () => {
  const user = `smoke-rich-${newRunId()}`;
  await adjustCredits(ledger(), {
    userId: user,
    credits: 150,
    reference: `${user}-opening`,
    description: 'test: opening balance',
  });
  const { code, report } = await smoke(['--user', user]);
  expect(code).toBe(EXIT.ok);
  expect(report.balance).toEqual({ before: 150, granted: 0, start: 150, end: 149 });
});

test('debit broken (the function fails): debit and ledger FAIL, the duplicate is not run, exit 1', async () => {
  stack.bus.route('debit', async () => {
    throw new Error('bad deploy');
  });
  const user = `smoke-debit-broken-${newRunId()}`;
  const { code, report, text } = await smoke(['--user', user]);
  expect(code).toBe(EXIT.findings);
  expect(report.scenarios.map((s) => [s.name, s.ok])).toEqual([
    ['debit', false],
    ['ledger', false],
    ['refund', false],
    ['duplicate', false],
  ]);
  expect(text).toMatch(/FAIL {2}debit +nothing settled within 5.0 s: balance 100 \(expected 99\), job settlement none/);
  expect(text).toMatch(/FAIL {2}ledger +job#.*#debit not found/);
  expect(text).toMatch(/FAIL {2}duplicate +not run: the debit scenario failed/);
  expect(text).toMatch(/make rollback WS=/);
  // Nothing was charged; the grant stands in the ledger like any other.
  expect(await balanceOf(user)).toBe(100);
  expect(await ledgerSum(user)).toBe(100);
  await stack.bus.idle();
  await drainDlq();
});

test('a wrong price (a deploy changed the price book): debit and ledger FAIL with what they saw', async () => {
  stack.deployPriceBook({ ...DEFAULT_PRICE_BOOK, test: { creditsPerSecond: 0, minimumCredits: 2 } });
  const { code, report } = await smoke(['--user', `smoke-price-${newRunId()}`]);
  expect(code).toBe(EXIT.findings);
  const byName = Object.fromEntries(report.scenarios.map((s) => [s.name, s]));
  expect(byName.debit).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/balance 100 → 98 \(expected 99\), job DEBITED charged 2/),
  });
  expect(byName.ledger).toMatchObject({
    ok: false,
    detail: expect.stringMatching(/debit of 2 .*\(expected debit of 1/),
  });
});

test('refund broken (failed events do nothing): refund FAILS, the others pass', async () => {
  stack.bus.route('refund', async () => undefined);
  const { code, report } = await smoke(['--user', `smoke-refund-${newRunId()}`]);
  expect(code).toBe(EXIT.findings);
  expect(report.scenarios.map((s) => [s.name, s.ok])).toEqual([
    ['debit', true],
    ['ledger', true],
    ['refund', false],
    ['duplicate', true],
  ]);
  expect(report.scenarios[2]!.detail).toMatch(
    /job DEBITED .*balance 99 → 98 \(expected net 0\), refund entry missing; timed out/,
  );
});

test('duplicates charged again (idempotency lost): duplicate FAILS', async () => {
  const real = settlementTargets({
    ledger: ledger(),
    sqs: stack.sqs,
    dlqUrl: stack.dlqUrl,
    workspace: stack.workspace,
  });
  const seen = new Set<string>();
  // A handler that charges a redelivered job a second time, by hand: what a broken idempotency looks like.
  stack.bus.route('debit', async (event, context) => {
    const { jobId, userId } = event.detail as { jobId: string; userId: string };
    if (seen.has(jobId))
      return adjustCredits(ledger(), {
        userId,
        credits: -1,
        reference: `dup-${event.id}`,
        description: 'double charge',
        allowNegative: true,
      });
    seen.add(jobId);
    return real.debit(event, context);
  });
  const { code, report } = await smoke(['--user', `smoke-dup-${newRunId()}`]);
  expect(code).toBe(EXIT.findings);
  expect(report.scenarios.map((s) => [s.name, s.ok])).toEqual([
    ['debit', true],
    ['ledger', true],
    ['refund', true],
    ['duplicate', false],
  ]);
  expect(report.scenarios[3]!.detail).toMatch(/balance 99 → 98/);
});

test('a refused PutEvents is an error with the reason, and no workspace is a usage error', async () => {
  stack.bus.faults.failNextPutEntries(1, 'AccessDeniedException', 'not authorized');
  await expect(smoke(['--user', `smoke-put-${newRunId()}`])).rejects.toThrow(
    /PutEvents refused the video.rendered event .*AccessDeniedException/,
  );
  const saved = process.env.WORKSPACE;
  delete process.env.WORKSPACE;
  try {
    await expect(runSmokeCommand([], createContext({ json: true }))).rejects.toThrow(/which workspace/);
  } finally {
    process.env.WORKSPACE = saved;
  }
});

async function drainDlq(): Promise<void> {
  const { ReceiveMessageCommand, DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
  for (let i = 0; i < 20; i++) {
    const { Messages = [] } = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return;
    for (const m of Messages)
      await stack.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.dlqUrl, ReceiptHandle: m.ReceiptHandle }));
  }
}
