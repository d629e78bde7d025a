// EventBridge rule `video.rendered` → charge the job's price once (docs/design.md).
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import { settlementDepsFromEnvironment } from '../../shared/lambda/settlement-deps';
import { once } from '../../shared/lambda/once';

export const handler = createSettlementHandler(
  'rendered',
  once(() => settlementDepsFromEnvironment('debit')),
);
