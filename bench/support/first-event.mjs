// Child process of bench/coldstart.bench.ts: a fresh Node process imports one built bundle and invokes
// its handler once with a new video.rendered event, as Lambda's INIT then first invoke would, and
// prints one JSON line: import ms, import + first answer ms, and ms since the process started.
//
//   node bench/support/first-event.mjs <bundle.mjs> <prefix> <userId>
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [bundle, prefix, userId] = process.argv.slice(2);
const event = {
  version: '0', id: `${prefix}-ev`, 'detail-type': 'video.rendered', source: 'video.generation', account: '123456789012',
  time: '2026-11-23T10:00:00Z', region: 'us-east-1', resources: [],
  detail: { jobId: `${prefix}-job`, userId, seconds: 6, model: 'gen-standard' },
};
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName: 'cold', functionVersion: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold',
  memoryLimitInMB: '512', awsRequestId: `${prefix}-req`, logGroupName: '/aws/lambda/cold', logStreamName: 'bench', getRemainingTimeInMillis: () => 30_000,
};

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const answer = await handler(event, context);
const answered = performance.now();
if (!answer || (answer.status !== 'settled' && answer.outcome !== 'debited')) throw new Error(`first event not debited: ${JSON.stringify(answer)}`);
process.stdout.write(`${JSON.stringify({ importMs: imported - started, firstEventMs: answered - started, sinceProcessStartMs: answered })}\n`);
process.exit(0);
