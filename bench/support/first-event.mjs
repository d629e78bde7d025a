// Child process of bench/coldstart.bench.ts: a fresh Node process imports one built bundle and invokes
// its handler once with a new video.rendered event, as Lambda's INIT then first invoke would, and
// prints one JSON line: import ms, import + first answer ms, ms since the process started, and a second (warm) invocation's ms.
//
//   node bench/support/first-event.mjs <bundle.mjs> <prefix> <userId>
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, prefix, userId] = process.argv.slice(2);
const envelope = (suffix) => ({
  version: '0',
  id: `${prefix}-ev${suffix}`,
  'detail-type': 'video.rendered',
  source: 'video.generation',
  account: '123456789012',
  time: '2026-11-23T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { jobId: `${prefix}-job${suffix}`, userId, seconds: 6, model: 'gen-standard' },
});
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'cold',
  functionVersion: '1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold',
  memoryLimitInMB: '512',
  awsRequestId: `${prefix}-req`,
  logGroupName: '/aws/lambda/cold',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
};

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const answer = await handler(envelope(1), context);
const answered = performance.now();
// A warm invocation beside it: what the first one spent on lazy set-up rather than on its request.
await handler(envelope(2), context);
const secondMs = performance.now() - answered;
if (!answer || (answer.status !== 'settled' && answer.outcome !== 'debited'))
  throw new Error(`first event not debited: ${JSON.stringify(answer)}`);
process.stdout.write(
  `${JSON.stringify({ importMs: imported - started, firstEventMs: answered - started, sinceProcessStartMs: answered, secondEventMs: secondMs })}\n`,
);
process.exit(0);
