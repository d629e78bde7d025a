/** What the debit and refund handlers need, built once per container from the environment. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { makeDynamoDbClient, makeSqsClient } from '../aws/clients';
import { readEnv, tablesFrom } from '../config';
import type { LedgerDeps } from '../ledger/settle';
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
  return {
    handlerName,
    ledger: { dynamodb: makeDynamoDbClient(), tables: tablesFrom(env) },
    sqs: makeSqsClient(),
    dlqUrl: env.DLQ_URL!,
    priceBook: DEFAULT_PRICE_BOOK,
    logger: createLogger({ level: env.LOG_LEVEL, workspace, component: handlerName }),
    workspace,
  };
}

/** Builds deps on first use and keeps them for the container's life (cheap import, one config read). */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
