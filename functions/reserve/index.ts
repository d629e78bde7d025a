// Direct invoke (RequestResponse) by a producer → hold credits for a job before its render, answered at once (docs/holds.md).
import { createReserveHandler } from '../../shared/lambda/reserve-handler';
import { reserveDepsFromEnvironment } from '../../shared/lambda/reserve-deps';
import { once } from '../../shared/lambda/once';

export const handler = createReserveHandler(once(() => reserveDepsFromEnvironment()));
