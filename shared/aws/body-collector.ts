/**
 * How a client reads a response body into bytes (the SDK's `streamCollector` setting).
 *
 * The SDK's own collector first asks `typeof ReadableStream` and `typeof Blob`, and reading the
 * `ReadableStream` global makes Node load and compile its whole web-streams implementation. Under the
 * flags Lambda starts Node with (`--expose-gc`, which makes V8 refuse Node's built-in code cache) that
 * compile is about 7 ms, paid by the first event of every cold start. The Node http handler, the one our
 * clients use, always answers with a Node `Readable` (an `IncomingMessage`), so read that as a stream
 * of Buffers and touch the web globals only for a body of another kind.
 */
import { Readable } from 'node:stream';

async function readableBytes(stream: Readable): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  }
  // A fresh array of our own: the SDK re-prototypes what it gets, so it must not be a view into Node's pool.
  const body = new Uint8Array(length);
  let offset = 0;
  for (const bytes of chunks) {
    body.set(bytes, offset);
    offset += bytes.length;
  }
  return body;
}

/** A Node stream directly; a web ReadableStream or Blob (another http handler's body) through Response. */
export async function collectBody(body: unknown): Promise<Uint8Array> {
  if (body instanceof Readable) return readableBytes(body);
  return new Uint8Array(await new Response(body as ConstructorParameters<typeof Response>[0]).arrayBuffer());
}
