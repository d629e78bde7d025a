// The baseline packaged like a Lambda entry point, so its bundle size and import time can be
// measured the same way as functions/debit.
import { makeDynamoDbClient } from '../../shared/aws/clients';
import { createBaselineDebit } from './powertools-debit';

const dynamodb = makeDynamoDbClient();
export const handler = createBaselineDebit(
  dynamodb,
  { jobs: 'Jobs', credits: 'Credits', ledger: 'Ledger', settlements: 'Settlements' },
  'Idempotency',
);
