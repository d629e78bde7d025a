// EventBridge rule `video.failed` → give back whatever the job was charged, once (docs/design.md).
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import { settlementDepsFromEnvironment } from '../../shared/lambda/settlement-deps';
import { once } from '../../shared/lambda/once';

export const handler = createSettlementHandler(
  'failed',
  once(() => settlementDepsFromEnvironment('refund')),
);
