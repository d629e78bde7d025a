/** What the reserve handler needs, built once per container from the environment (HANDLER_ENV.reserve). */
import { makeDynamoDbClient } from '../aws/clients';
import { boundedInt, readEnv, type Env } from '../config';
import { DEFAULT_HOLD_SECONDS, MAX_HOLD_SECONDS, MIN_HOLD_SECONDS } from '../ledger/holds';
import { createLogger } from '../observability/logger';
import type { ReserveHandlerDeps } from './reserve-handler';

/** HOLD_DEFAULT_SECONDS: a hold's life when the request names none, and the longest it may ask for. */
export function holdDefaultSecondsFrom(env: Env): number {
  return boundedInt(
    'HOLD_DEFAULT_SECONDS',
    env.HOLD_DEFAULT_SECONDS,
    DEFAULT_HOLD_SECONDS,
    MIN_HOLD_SECONDS,
    MAX_HOLD_SECONDS,
  );
}

export function reserveDepsFromEnvironment(env?: Env): ReserveHandlerDeps {
  const values = readEnv('reserve', env);
  const workspace = values.WORKSPACE ?? 'local';
  return {
    holds: {
      dynamodb: makeDynamoDbClient({ cacheMiddleware: true }),
      tables: { credits: values.CREDITS_TABLE!, settlements: values.SETTLEMENTS_TABLE! },
    },
    limits: { defaultSeconds: holdDefaultSecondsFrom(values) },
    logger: createLogger({ level: values.LOG_LEVEL, workspace, component: 'reserve' }),
    workspace,
  };
}
