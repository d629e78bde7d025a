/**
 * local/sqs-proxy.ts: the local SQS reports who sent a message (SenderId from the sending key, as
 * SQS does from the caller's identity; fauxqs alone answers 000000000000 for everyone) and hands out
 * loopback queue URLs.
 */
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { makeSqsClient } from '../../shared/aws/clients';
import { OUTSIDER, functionRole, type LocalPrincipal } from '../../local/principals';
import { startLocalSqs, type LocalSqs } from '../../local/sqs-proxy';
import { localSqs, sqsEndpoint } from '../support/local-aws';

let front: LocalSqs;
const clients: SQSClient[] = [];
const debitRole = functionRole('cc-agent-reconciler-debit-t1');
beforeAll(async () => {
  front = await startLocalSqs({ upstream: sqsEndpoint(), principals: [OUTSIDER, debitRole] });
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await front.stop();
});
const as = (principal?: LocalPrincipal) => {
  const client = makeSqsClient({
    endpoint: front.endpoint,
    region: 'us-east-1',
    ...(principal ? { localCredentials: principal.credentials } : {}),
  });
  clients.push(client);
  return client;
};
const receiveAll = async (client: SQSClient, queueUrl: string) =>
  (
    await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['SenderId', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    )
  ).Messages ?? [];

test('queue URLs are loopback URLs of the front, and work', async () => {
  const name = `front-${randomUUID().slice(0, 8)}`;
  const { QueueUrl } = await as().send(new CreateQueueCommand({ QueueName: name }));
  expect(QueueUrl).toBe(`${front.endpoint}/000000000000/${name}`);
  expect((await as().send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(QueueUrl);
  expect((await as().send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls).toEqual([QueueUrl]);
});

test("SenderId is the sending principal's; a message put into fauxqs directly has none; other attributes stay", async () => {
  const { QueueUrl } = await as().send(new CreateQueueCommand({ QueueName: `front-${randomUUID().slice(0, 8)}` }));
  const byRole = (await as(debitRole).send(new SendMessageCommand({ QueueUrl, MessageBody: 'from debit' }))).MessageId;
  const byOutsider = (await as(OUTSIDER).send(new SendMessageCommand({ QueueUrl, MessageBody: 'from outsider' })))
    .MessageId;
  const batch = await as(OUTSIDER).send(
    new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'batch' }] }),
  );
  const direct = localSqs();
  clients.push(direct);
  const byPassed = (await direct.send(new SendMessageCommand({ QueueUrl, MessageBody: 'around the front' }))).MessageId;
  const unknownKey = (
    await as({ label: 'x', credentials: { accessKeyId: 'SOMEONE', secretAccessKey: 'x' }, senderId: 'ignored' }).send(
      new SendMessageCommand({ QueueUrl, MessageBody: 'who?' }),
    )
  ).MessageId;

  const seen = Object.fromEntries((await receiveAll(as(), QueueUrl!)).map((m) => [m.MessageId, m.Attributes ?? {}]));
  expect(seen[byRole!]).toEqual({ SenderId: `${debitRole.senderId}`, ApproximateReceiveCount: '1' });
  expect(debitRole.senderId).toMatch(/^AROA[A-Z0-9]+:cc-agent-reconciler-debit-t1$/);
  expect(seen[byOutsider!]).toMatchObject({ SenderId: OUTSIDER.senderId });
  expect(seen[batch.Successful![0]!.MessageId!]).toMatchObject({ SenderId: OUTSIDER.senderId });
  expect(seen[byPassed!]).toEqual({ ApproximateReceiveCount: '1' });
  // A key nobody registered is an IAM user, never a function's role session.
  expect(seen[unknownKey!]).toMatchObject({ SenderId: 'AIDASOMEONE' });
});

test('why the front exists: fauxqs alone reports the same SenderId for every sender', async () => {
  const direct = localSqs();
  clients.push(direct);
  const { QueueUrl } = await direct.send(new CreateQueueCommand({ QueueName: `raw-${randomUUID().slice(0, 8)}` }));
  await as(debitRole).send(new SendMessageCommand({ QueueUrl, MessageBody: 'from debit' }));
  await as(OUTSIDER).send(new SendMessageCommand({ QueueUrl, MessageBody: 'from outsider' }));
  const raw = await receiveAll(direct, QueueUrl!);
  expect(raw.map((m) => m.Attributes?.SenderId)).toEqual(['000000000000', '000000000000']);
});

test('errors from fauxqs pass through unchanged', async () => {
  await expect(as().send(new GetQueueUrlCommand({ QueueName: `missing-${randomUUID()}` }))).rejects.toMatchObject({
    name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/),
  });
});
