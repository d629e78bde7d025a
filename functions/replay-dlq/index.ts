// SQS trigger on the DLQ → put each failed event back on the bus; only failed records return (DESIGN §1, §5).
import { createReplayHandler, replayDepsFromEnvironment, type ReplayHandlerDeps } from '../../shared/replay/lambda-handler';

let deps: ReplayHandlerDeps | undefined;
export const handler = createReplayHandler(() => (deps ??= replayDepsFromEnvironment()));
