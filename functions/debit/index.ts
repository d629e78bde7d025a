// EventBridge rule `video.rendered` → charge the job's price once (DESIGN §1).
import { createSettlementHandler } from '../../shared/lambda/settlement-handler';
import { once, settlementDepsFromEnvironment } from '../../shared/lambda/settlement-deps';

export const handler = createSettlementHandler('rendered', once(() => settlementDepsFromEnvironment('debit')));
