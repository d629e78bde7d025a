/**
 * Runs every handler the way it runs in AWS (its real factory, its deps' shape) against a local
 * stack, each with its own recorded SDK clients, through the paths that send different commands:
 * debit settle and duplicate and refused (to the DLQ), refund with the debit check, hold reserve,
 * capture, release and refusal (with the expired-hold clean-up), a sweep that settles stragglers,
 * backstops a lost refund, expires a hold, audits and alerts, and replay publishing a genuine
 * record and leaving an unverified one. What each role sent is what its IAM policy must grant.
 */
import type { Context } from 'aws-lambda';
import { makeDynamoDbClient, makeSnsClient } from '../../shared/aws/clients';
import { endHold } from '../../shared/ledger/holds';
import { createReplayHandler } from '../../shared/lambda/replay-handler';
import { createSweepHandler } from '../../shared/lambda/sweep-handler';
import { createLogger } from '../../shared/observability/logger';
import { DEFAULT_PRICE_BOOK } from '../../shared/pricing';
import { sweepLimits } from '../../shared/sweep';
import { buildHandlers } from './handler-harness';
import { envelope } from './events';
import { HOUR_MS, TEST_LIMITS, ago, grant, putJob } from './producer-jobs';
import { fixtureMessage, lambdaRecordOf, loadFixture, startStack, type Stack } from './replay-stack';
import { iamNeeds, recordCommands, type Needed, type ResourceNames, type SentCommand } from './sdk-recorder';

export type Recording = Record<string, SentCommand[]>;

const silent = () => createLogger({ level: 'silent', workspace: 'test', component: 'recording' });

/** Fresh clients for one role on the stack's endpoints, each recording into `sink`. */
function roleClients(stack: Stack, sink: SentCommand[]) {
  const dynamodb = makeDynamoDbClient({
    endpoint: stack.local.endpoints.dynamodb,
    region: stack.local.scope.region,
    maxAttempts: 3,
  });
  recordCommands(dynamodb, 'dynamodb', sink);
  return { dynamodb };
}

/**
 * DynamoDB may cancel a transaction without returning the item a condition failed on; the handlers
 * then read it (GetItem). DynamoDB Local always returns it, so this client drops it from the error.
 */
function withoutReturnedItems(client: ReturnType<typeof makeDynamoDbClient>): typeof client {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const failed = error as { Item?: unknown; CancellationReasons?: { Item?: unknown }[] };
        delete failed.Item;
        for (const reason of failed.CancellationReasons ?? []) delete reason.Item;
        throw error;
      }
    },
    { step: 'initialize', name: 'drop-returned-items' },
  );
  return client;
}

/** Another writer ends `jobId`'s hold just before this client's transaction on it (the race of a sweep expiring it). */
function racedOn(
  client: ReturnType<typeof makeDynamoDbClient>,
  jobId: string,
  otherWriter: () => Promise<unknown>,
): typeof client {
  let raced = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const items =
        (args.input as { TransactItems?: { Update?: { Key?: { jobId?: { S?: string } } } }[] }).TransactItems ?? [];
      if (
        !raced &&
        context.commandName === 'TransactWriteItemsCommand' &&
        items.some((i) => i.Update?.Key?.jobId?.S === jobId)
      ) {
        raced = true;
        await otherWriter();
      }
      return next(args);
    },
    { step: 'initialize', name: 'race-other-writer' },
  );
  return client;
}

async function recordSettlements(stack: Stack, rec: Recording): Promise<void> {
  const ledger = { dynamodb: stack.db, tables: stack.tables };
  await grant(ledger, 'lp-user', 1_000);
  const debitDb = roleClients(stack, rec.debit!).dynamodb;
  const debitSqs = stack.local.sqsAs(stack.local.principals.debit);
  recordCommands(debitSqs, 'sqs', rec.debit!);
  const debit = buildHandlers(debitDb, debitSqs, stack.tables, stack.dlqUrl).debit;
  const refundDb = roleClients(stack, rec.refund!).dynamodb;
  const refundSqs = stack.local.sqsAs(stack.local.principals.refund);
  recordCommands(refundSqs, 'sqs', rec.refund!);
  const refund = buildHandlers(refundDb, refundSqs, stack.tables, stack.dlqUrl).refund;
  const reserveDb = roleClients(stack, rec.reserve!).dynamodb;
  const reserve = buildHandlers(reserveDb, stack.sqs, stack.tables, stack.dlqUrl, { holdDefaultSeconds: 60 }).reserve;

  const rendered = envelope('rendered', { jobId: 'lp-settle', userId: 'lp-user' });
  await debit(rendered); // settle
  await debit(rendered); // duplicate
  const debitNoItem = buildHandlers(
    withoutReturnedItems(roleClients(stack, rec.debit!).dynamodb),
    debitSqs,
    stack.tables,
    stack.dlqUrl,
  ).debit;
  await debitNoItem(rendered); // duplicate, the item not returned: read it
  await debit({ ...envelope('rendered'), detail: { jobId: 'lp-bad' } }); // refused: to the DLQ
  await refund(envelope('failed', { jobId: 'lp-settle', userId: 'lp-user', reason: 'gpu' })); // refund of the debit
  await refund({ ...envelope('failed'), detail: {} }); // refused: to the DLQ
  const refundNoItem = buildHandlers(
    withoutReturnedItems(roleClients(stack, rec.refund!).dynamodb),
    refundSqs,
    stack.tables,
    stack.dlqUrl,
  ).refund;
  await refundNoItem(envelope('failed', { jobId: 'lp-settle', userId: 'lp-user', reason: 'gpu' })); // duplicate refund, read it

  await reserve({ jobId: 'lp-hold-capture', userId: 'lp-user', credits: 20 });
  await debit(envelope('rendered', { jobId: 'lp-hold-capture', userId: 'lp-user' })); // capture
  await reserve({ jobId: 'lp-hold-release', userId: 'lp-user', credits: 20 });
  await refund(envelope('failed', { jobId: 'lp-hold-release', userId: 'lp-user', reason: 'oom' })); // release
  await reserve({ jobId: 'lp-hold-refused', userId: 'lp-user', credits: 1_000_000 }); // refused

  // Refused with an expired hold to end, which the sweep ends first: reserve reads what it is now.
  await grant(ledger, 'lp-racer', 10);
  await buildHandlers(stack.db, stack.sqs, stack.tables, stack.dlqUrl, {
    now: () => new Date(Date.now() - 2 * HOUR_MS),
    holdDefaultSeconds: 60,
  }).reserve({ jobId: 'lp-race', userId: 'lp-racer', credits: 5 });
  const racedDb = racedOn(roleClients(stack, rec.reserve!).dynamodb, 'lp-race', () =>
    endHold(ledger, 'lp-race', 'EXPIRED'),
  );
  await buildHandlers(racedDb, stack.sqs, stack.tables, stack.dlqUrl).reserve({
    jobId: 'lp-race-refused',
    userId: 'lp-racer',
    credits: 1_000,
  });
}

async function recordSweep(stack: Stack, rec: Recording): Promise<void> {
  const { dynamodb } = roleClients(stack, rec.sweep!);
  const sns = makeSnsClient({ endpoint: stack.local.endpoints.sns, region: stack.local.scope.region });
  recordCommands(sns, 'sns', rec.sweep!);
  const ledger = { dynamodb: stack.db, tables: stack.tables };
  await grant(ledger, 'lp-sweeper', 500);
  await putJob(stack.db, stack.tables, {
    jobId: 'lp-lost-r',
    userId: 'lp-sweeper',
    model: 'gen-standard',
    seconds: 12,
    status: 'rendered',
    updatedAt: ago(2 * HOUR_MS),
  });
  await putJob(stack.db, stack.tables, {
    jobId: 'lp-lost-f',
    userId: 'lp-sweeper',
    model: 'gen-standard',
    seconds: 12,
    status: 'failed',
    reason: 'oom',
    updatedAt: ago(2 * HOUR_MS),
  });
  // A debited job whose failure event was lost: the sweep's refund backstop checks the debit entry.
  await buildHandlers(stack.db, stack.sqs, stack.tables, stack.dlqUrl).debit(
    envelope('rendered', { jobId: 'lp-debited', userId: 'lp-sweeper', seconds: 12 }),
  );
  await putJob(stack.db, stack.tables, {
    jobId: 'lp-debited',
    userId: 'lp-sweeper',
    model: 'gen-standard',
    seconds: 12,
    status: 'failed',
    reason: 'lost',
    updatedAt: ago(2 * HOUR_MS),
  });
  // A hold already past its expiry (reserved on a clock two hours back), for the sweep to expire.
  const past = () => new Date(Date.now() - 2 * HOUR_MS);
  await buildHandlers(stack.db, stack.sqs, stack.tables, stack.dlqUrl, { now: past, holdDefaultSeconds: 60 }).reserve({
    jobId: 'lp-hold-expire',
    userId: 'lp-sweeper',
    credits: 5,
  });
  const sweep = createSweepHandler(() => ({
    ledger: { dynamodb, tables: stack.tables },
    priceBook: DEFAULT_PRICE_BOOK,
    logger: silent(),
    workspace: stack.scope.workspace,
    alerts: { sns, topicArn: stack.local.alertsTopicArn },
    limits: sweepLimits(TEST_LIMITS),
  }));
  await sweep({}, { getRemainingTimeInMillis: () => 60_000 } as unknown as Context);
  sns.destroy();
  dynamodb.destroy();
}

async function recordReplay(stack: Stack, rec: Recording): Promise<void> {
  const eventBridge = stack.local.eventBridgeAs(stack.local.principals.replay);
  recordCommands(eventBridge, 'events', rec['replay-dlq']!);
  const handler = createReplayHandler(() => stack.handlerDeps({ eventBridge, logger: silent() }));
  const genuine = lambdaRecordOf(
    stack,
    fixtureMessage(loadFixture('eventbridge-target-dlq'), 'lp-genuine', stack.scope),
  );
  const forged = lambdaRecordOf(stack, fixtureMessage(loadFixture('unknown'), 'lp-unverified', stack.scope));
  await handler({ Records: [genuine, forged] } as never, stack.lambdaContext as never);
  await stack.bus.idle();
}

/** How the recorder names this stack's resources. */
export function resourceNames(stack: Stack): ResourceNames {
  return {
    tables: Object.fromEntries(Object.entries(stack.tables).map(([logical, name]) => [name, logical])),
    queues: { [stack.dlqUrl]: 'dlq' },
    topics: { [stack.local.alertsTopicArn]: 'alerts' },
    buses: { [stack.bus.busName]: 'events' },
  };
}

/** Every handler's recorded commands, as IAM needs (sorted, without repeats): handler → needs. */
export async function recordRoleNeeds(): Promise<{ sent: Recording; needs: Record<string, Needed[]> }> {
  const stack = await startStack('least-privilege');
  const sent: Recording = { debit: [], refund: [], reserve: [], sweep: [], 'replay-dlq': [] };
  try {
    await recordSettlements(stack, sent);
    await recordSweep(stack, sent);
    await recordReplay(stack, sent);
    const names = resourceNames(stack);
    return {
      sent,
      needs: Object.fromEntries(
        Object.entries(sent).map(([role, commands]) => [
          role,
          uniqueNeeds(commands.flatMap((c) => iamNeeds(c, names))),
        ]),
      ),
    };
  } finally {
    await stack.stop();
  }
}

export function uniqueNeeds(needs: readonly Needed[]): Needed[] {
  const byKey = new Map(needs.map((n) => [`${n.action} ${n.resource}`, n]));
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}
