/** Every log line written during an invocation carries its request id and whether it was the cold one. */
import middy from '@middy/core';
import { Writable } from 'node:stream';
import { invocationContextForLogs } from '../../../shared/lambda/invocation-logs';
import { createLogger } from '../../../shared/observability/logger';
import { sleep } from '../../../shared/time';

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger({ component: 'test', destination }) };
}

test('concurrent invocations keep their own ids; only the first in the process is cold', async () => {
  const { lines, logger } = capturedLogger();
  logger.info({ step: 'before any invocation' }, 'outside');
  const handler = middy<{ name: string }, void>()
    .use(invocationContextForLogs())
    .handler(async (event) => {
      logger.info({ step: 'start', name: event.name }, 'start');
      await sleep(5);
      logger.info({ step: 'end', name: event.name }, 'end');
    });
  await Promise.all([
    handler({ name: 'a' }, { awsRequestId: 'req-a' } as never),
    handler({ name: 'b' }, { awsRequestId: 'req-b' } as never),
  ]);

  expect(lines[0]).not.toHaveProperty('awsRequestId');
  const byName = (name: string) =>
    lines.filter((line) => line.name === name).map((line) => [line.awsRequestId, line.coldStart]);
  expect(byName('a')).toEqual([
    ['req-a', true],
    ['req-a', true],
  ]);
  expect(byName('b')).toEqual([
    ['req-b', false],
    ['req-b', false],
  ]);
});

test('without a Lambda context an invocation still gets an id of its own', async () => {
  const { lines, logger } = capturedLogger();
  const handler = middy<unknown, void>()
    .use(invocationContextForLogs())
    .handler(async () => {
      logger.info('inside');
    });
  await handler({}, {} as never);
  await handler({}, {} as never);
  const ids = lines.map((line) => line.awsRequestId);
  expect(ids).toEqual([expect.stringMatching(/^local-[0-9a-f-]{36}$/), expect.stringMatching(/^local-[0-9a-f-]{36}$/)]);
  expect(ids[0]).not.toBe(ids[1]);
});
