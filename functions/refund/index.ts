// EventBridge rule `video.failed` → give back whatever the job was charged, once (DESIGN §1).
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import { once, settlementDepsFromEnvironment } from '../../shared/lambda/settlement-deps';

export const handler = createSettlementHandler('failed', once(() => settlementDepsFromEnvironment('refund')));
