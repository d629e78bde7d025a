/** What the replay-dlq Lambda needs, built once per container from the environment (HANDLER_ENV['replay-dlq']). */
import { defaultRegion, makeEventBridgeClient } from '../aws/clients';
import { positiveInt, readEnv, type Env } from '../config';
import { checkDlqUrl } from '../dlq/queue-url';
import { ConfigError } from '../errors';
import { arns, workspaceNames } from '../naming';
import { createLogger } from '../observability/logger';
import { DEFAULT_PRICE_BOOK } from '../pricing';
import { expectedOrigin } from '../replay/provenance';
import { DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT } from '../replay/redeliver';
import type { ReplayHandlerDeps } from './replay-handler';

/** The DLQ of `workspace` named by DLQ_URL, in `region`; ConfigError naming the problem otherwise. */
export function dlqFromUrl(dlqUrl: string, workspace: string, region: string | undefined): ReplayHandlerDeps['dlq'] {
  if (!region)
    throw new ConfigError('replay-dlq: AWS_REGION is not set (Lambda sets it; set it to run the handler elsewhere)');
  const check = checkDlqUrl(dlqUrl, { workspace, region });
  if (!check.ok) throw new ConfigError(`replay-dlq: DLQ_URL ${check.problem}`);
  const { scope, queueName } = check.location;
  return { arn: arns.queue(scope, queueName), scope };
}

/** `env`: the function's environment (default: this process's, read by shared/config.ts). */
export function replayDepsFromEnvironment(env?: Env): ReplayHandlerDeps {
  const values = readEnv('replay-dlq', env);
  const workspace = values.WORKSPACE ?? 'local';
  try {
    workspaceNames(workspace);
  } catch (error) {
    throw new ConfigError(`replay-dlq: WORKSPACE ${(error as Error).message}`);
  }
  const dlq = dlqFromUrl(values.DLQ_URL!, workspace, defaultRegion(env));
  const busName = values.EVENT_BUS_NAME!;
  return {
    eventBridge: makeEventBridgeClient(),
    busName,
    maxReplays: positiveInt('REPLAY_MAX_REPLAYS', values.REPLAY_MAX_REPLAYS, DEFAULT_MAX_REPLAYS, MAX_REPLAYS_LIMIT),
    priceBook: DEFAULT_PRICE_BOOK,
    logger: createLogger({ level: values.LOG_LEVEL, workspace, component: 'replay-dlq' }),
    workspace,
    origin: expectedOrigin(workspace, busName, dlq.scope),
    dlq,
  };
}
