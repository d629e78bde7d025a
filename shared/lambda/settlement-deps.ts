/** What the debit and refund handlers need, built once per container from the environment. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeSqsClient } from '../aws/clients';
import { boundedInt, readEnv, tablesFrom } from '../config';
import { DEFAULT_OVERDRAFT_FLOOR_CREDITS, MAX_OVERDRAFT_FLOOR_CREDITS } from '../ledger/settle';
import type { LedgerDeps } from '../ledger/types';
import { createLogger, type Logger } from '../observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../pricing';

export type SettlementHandlerName = 'debit' | 'refund';

export interface SettlementHandlerDeps {
  handlerName: SettlementHandlerName;
  ledger: LedgerDeps;
  sqs: SQSClient;
  dlqUrl: string;
  priceBook: PriceBook;
  logger: Logger;
  workspace: string;
  now?: () => Date;
}

export function settlementDepsFromEnvironment(handlerName: SettlementHandlerName): SettlementHandlerDeps {
  const env = readEnv(handlerName);
  const workspace = env.WORKSPACE ?? 'local';
  let sqs: SQSClient | undefined;
  return {
    handlerName,
    ledger: {
      dynamodb: makeDynamoDbClient({ cacheMiddleware: true }),
      tables: tablesFrom(env),
      overdraftFloorCredits: overdraftFloorFrom(env),
    },
    // Built on first use: only a refused event goes to the DLQ, so a cold start does not pay for it.
    get sqs() {
      return (sqs ??= makeSqsClient({ cacheMiddleware: true }));
    },
    dlqUrl: env.DLQ_URL!,
    priceBook: DEFAULT_PRICE_BOOK,
    logger: createLogger({ level: env.LOG_LEVEL, workspace, component: handlerName }),
    workspace,
  };
}

/** OVERDRAFT_FLOOR_CREDITS: 0 (no overdraft at all) … MAX_OVERDRAFT_FLOOR_CREDITS, default DEFAULT_OVERDRAFT_FLOOR_CREDITS. */
export function overdraftFloorFrom(env: Record<string, string | undefined>): number {
  return boundedInt(
    'OVERDRAFT_FLOOR_CREDITS',
    env.OVERDRAFT_FLOOR_CREDITS,
    DEFAULT_OVERDRAFT_FLOOR_CREDITS,
    0,
    MAX_OVERDRAFT_FLOOR_CREDITS,
  );
}
