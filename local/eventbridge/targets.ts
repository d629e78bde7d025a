/**
 * The real debit and refund handlers (shared/lambda/settlement-handler.ts, the same middy stack the
 * Lambdas run), wired to local DynamoDB / SQS, as targets for the local EventBridge.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import pino from 'pino';
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import type { SettlementHandlerDeps } from '../../shared/lambda/settlement-deps';
import type { LedgerDeps } from '../../shared/ledger/types';
import type { Logger } from '../../shared/observability/logger';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../shared/pricing';
import type { TargetHandler } from './server';

export interface SettlementTargetOptions {
  ledger: LedgerDeps;
  sqs: SQSClient;
  /** The client each handler sends its refused events with (its execution role). Default: `sqs`. */
  sqsFor?: (handler: 'debit' | 'refund') => SQSClient;
  /** Where the handlers send invalid events (the same DLQ the bus dead-letters to). */
  dlqUrl: string;
  priceBook?: PriceBook;
  workspace?: string;
  /** Default: silent (tests and the demo print their own summaries). */
  logger?: Logger;
}

/** `{ debit, refund }`, keyed by the target names of local/eventbridge/rules.ts. */
export function settlementTargets(options: SettlementTargetOptions): Record<'debit' | 'refund', TargetHandler> {
  const common = {
    ledger: options.ledger,
    dlqUrl: options.dlqUrl,
    priceBook: options.priceBook ?? DEFAULT_PRICE_BOOK,
    logger: options.logger ?? pino({ level: 'silent' }),
    workspace: options.workspace ?? 'local',
  };
  const sqsFor = options.sqsFor ?? (() => options.sqs);
  const debitDeps: SettlementHandlerDeps = { ...common, sqs: sqsFor('debit'), handlerName: 'debit' };
  const refundDeps: SettlementHandlerDeps = { ...common, sqs: sqsFor('refund'), handlerName: 'refund' };
  const debit = createSettlementHandler('rendered', () => debitDeps);
  const refund = createSettlementHandler('failed', () => refundDeps);
  return {
    debit: (event, context) => debit(event, context as never),
    refund: (event, context) => refund(event, context as never),
  };
}
