// SQS trigger on the DLQ → put each failed event back on the bus; only failed records return (docs/operations/dlq-replay.md).
import { createReplayHandler } from '../../shared/lambda/replay-handler';
import { replayDepsFromEnvironment } from '../../shared/lambda/replay-deps';
import { once } from '../../shared/lambda/once';

export const handler = createReplayHandler(once(() => replayDepsFromEnvironment()));
