// Direct invoke (RequestResponse) by a producer → hold credits for a job before its render, answered at once (DESIGN §2, holds).
import { once } from '../../shared/lambda/settlement-deps';
import { createReserveHandler } from '../../shared/lambda/reserve-handler';
import { reserveDepsFromEnvironment } from '../../shared/lambda/reserve-deps';

export const handler = createReserveHandler(once(() => reserveDepsFromEnvironment()));
