// EventBridge schedule → one bounded sweep run: stragglers, lost refunds, expired holds, the audit (docs/design.md).
import { createSweepHandler } from '../../shared/lambda/sweep-handler';
import { sweepDepsFromEnvironment } from '../../shared/lambda/sweep-deps';
import { once } from '../../shared/lambda/once';

export const handler = createSweepHandler(once(() => sweepDepsFromEnvironment()));
