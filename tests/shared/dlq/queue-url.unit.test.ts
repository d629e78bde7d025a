/** shared/dlq/queue-url.ts: a DLQ URL must be the workspace's DLQ, in the expected region and account (M7). */
import { checkDlqUrl } from '../../../shared/dlq/queue-url';

const expected = { workspace: 'prod', region: 'eu-west-1', accountId: '123456789012' };
const problem = (url: string, e: Parameters<typeof checkDlqUrl>[1] = expected) => {
  const check = checkDlqUrl(url, e);
  return check.ok ? undefined : check.problem;
};

test("the workspace's DLQ in its region and account is accepted, with the scope replay derives ARNs from", () => {
  expect(checkDlqUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod', expected)).toEqual({
    ok: true,
    location: {
      local: false,
      queueName: 'cc-reconciler-dlq-prod',
      scope: { region: 'eu-west-1', accountId: '123456789012' },
    },
  });
  // Without a known account, the URL's account is the scope.
  expect(
    checkDlqUrl('https://sqs.eu-west-1.amazonaws.com/999999999999/cc-reconciler-dlq-prod', {
      workspace: 'prod',
      region: 'eu-west-1',
    }),
  ).toMatchObject({ ok: true, location: { scope: { accountId: '999999999999' } } });
});

test.each([
  // The review's example: a host that is not SQS, with the right path.
  ['https://sqs-prod.attacker.example/123/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  ['https://evil/123456789012/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  ['http://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  [
    'https://sqs.eu-west-1.amazonaws.com.attacker.example/123456789012/cc-reconciler-dlq-prod',
    /is not an SQS queue URL/,
  ],
  ['https://user@sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  ['https://sqs.eu-west-1.amazonaws.com:8443/123456789012/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  ['https://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod?x=1', /is not an SQS queue URL/],
  ['https://sqs.eu-west-1.amazonaws.com/1234/cc-reconciler-dlq-prod', /is not an SQS queue URL/],
  ['not a url', /is not an SQS queue URL/],
  ['https://sqs.us-east-1.amazonaws.com/123456789012/cc-reconciler-dlq-prod', /is in region us-east-1, not eu-west-1/],
  [
    'https://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-dlq-staging',
    /names queue cc-reconciler-dlq-staging, not workspace prod's DLQ/,
  ],
  [
    'https://sqs.eu-west-1.amazonaws.com/123456789012/cc-reconciler-sweep-failures-prod',
    /names queue cc-reconciler-sweep-failures-prod/,
  ],
  [
    'https://sqs.eu-west-1.amazonaws.com/999999999999/cc-reconciler-dlq-prod',
    /is in account 999999999999, not 123456789012/,
  ],
])('%s is refused', (url, why) => {
  expect(problem(url)).toMatch(why);
});

describe('locally', () => {
  const local = { workspace: 'local-1', region: 'us-east-1' };
  test.each([
    'http://127.0.0.1:9324/000000000000/cc-reconciler-dlq-local-1',
    'http://localhost:4566/000000000000/cc-reconciler-dlq-local-1',
    'http://[::1]:1/000000000000/cc-reconciler-dlq-local-1',
  ])("%s is the local stack's DLQ", (url) => {
    expect(checkDlqUrl(url, local)).toEqual({
      ok: true,
      location: {
        local: true,
        queueName: 'cc-reconciler-dlq-local-1',
        scope: { region: 'us-east-1', accountId: '000000000000' },
      },
    });
  });
  test.each([
    ['http://127.attacker.example/000000000000/cc-reconciler-dlq-local-1', /is not an SQS queue URL/],
    ['http://sqs.us-east-1.localhost:9324/000000000000/cc-reconciler-dlq-local-1', /is not an SQS queue URL/],
    ['http://127.0.0.1:9324/cc-reconciler-dlq-local-1', /is not an SQS queue URL/],
    ['http://127.0.0.1:9324/000000000000/cc-reconciler-dlq-local-1#x', /is not an SQS queue URL/],
    ['http://127.0.0.1:9324/000000000000/other-queue', /names queue other-queue/],
  ])('%s is refused', (url, why) => {
    expect(problem(url, local)).toMatch(why);
  });
  test('a known account applies locally too', () => {
    expect(
      problem('http://127.0.0.1:9/000000000000/cc-reconciler-dlq-local-1', { ...local, accountId: '123456789012' }),
    ).toMatch(/is in account 000000000000/);
  });
});
