/** What the sweep Lambda needs, built once per container from the environment (HANDLER_ENV.sweep). */
import { makeDynamoDbClient, makeSnsClient } from '../aws/clients';
import { readEnv, tablesFrom, type Env } from '../config';
import { overdraftFloorFrom } from './settlement-deps';
import { createLogger } from '../observability/logger';
import { DEFAULT_PRICE_BOOK } from '../pricing';
import { sweepLimitsFromEnv, type ReportingDeps, type SweepLimits } from '../sweep';

export interface SweepHandlerDeps extends ReportingDeps {
  limits: SweepLimits;
}

export function sweepDepsFromEnvironment(env?: Env): SweepHandlerDeps {
  const values = readEnv('sweep', env);
  const workspace = values.WORKSPACE ?? 'local';
  return {
    ledger: {
      dynamodb: makeDynamoDbClient(),
      tables: tablesFrom(values),
      overdraftFloorCredits: overdraftFloorFrom(values),
    },
    priceBook: DEFAULT_PRICE_BOOK,
    logger: createLogger({ level: values.LOG_LEVEL, workspace, component: 'sweep' }),
    workspace,
    alerts: { sns: makeSnsClient(), topicArn: values.ALERTS_TOPIC_ARN! },
    limits: sweepLimitsFromEnv(values),
  };
}
