/** shared/aws/body-collector.ts: how our clients read a response body into bytes. */
import { Readable } from 'node:stream';
import { collectBody } from '../../../shared/aws/body-collector';
import { clientConfig, makeDynamoDbClient } from '../../../shared/aws/clients';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('a Node stream, as the Node http handler answers', () => {
  test('chunks are joined in order', async () => {
    const body = Readable.from([Buffer.from('{"Items":'), Buffer.from('[1,2'), Buffer.from(']}')]);
    expect(text(await collectBody(body))).toBe('{"Items":[1,2]}');
  });

  test('string chunks are read as UTF-8', async () => {
    expect(text(await collectBody(Readable.from(['crédit', 's'], { objectMode: false })))).toBe('crédits');
  });

  test('an empty body is zero bytes', async () => {
    const bytes = await collectBody(Readable.from([]));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(0);
  });

  test('the bytes are a fresh array, not a view into a buffer Node pools', async () => {
    const bytes = await collectBody(Readable.from([Buffer.from('a'), Buffer.from('bc')]));
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(3);
  });

  test('a stream that breaks rejects with its error (nothing half-read is returned)', async () => {
    const body = new Readable({ read() {} });
    body.push(Buffer.from('{"partial'));
    setImmediate(() => body.destroy(new Error('socket hang up')));
    await expect(collectBody(body)).rejects.toThrow('socket hang up');
  });
});

describe('a body of another kind (another http handler)', () => {
  test('a web ReadableStream', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"ok":'));
        controller.enqueue(new TextEncoder().encode('true}'));
        controller.close();
      },
    });
    expect(text(await collectBody(body))).toBe('{"ok":true}');
  });

  test('a Blob', async () => {
    expect(text(await collectBody(new Blob(['{}'])))).toBe('{}');
  });
});

test('every client we build reads bodies with it', async () => {
  expect(clientConfig({}, 'SQS').streamCollector).toBe(collectBody);
  const client = makeDynamoDbClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
  expect(client.config.streamCollector).toBe(collectBody);
  client.destroy();
});
