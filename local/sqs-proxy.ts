/**
 * The local SQS: fauxqs behind a small HTTP front that adds what SQS does and fauxqs does not.
 *
 * - SenderId. SQS reports who sent a message (the sender's IAM unique id, `AROA…:<session>` for a
 *   role session); fauxqs answers every request for it with the constant `000000000000`. The front
 *   remembers, per message id, the access key that sent it (SendMessage, SendMessageBatch) and
 *   reports that principal's SenderId on ReceiveMessage. A message it did not see sent (put into
 *   fauxqs directly, or fanned out by SNS inside it) gets no SenderId: "not reported".
 * - Queue URLs on loopback. fauxqs names its queues `http://sqs.<region>.<host>:<port>/…`, a name
 *   that is not loopback; the front hands out `http://127.0.0.1:<its port>/<account>/<queue>`, as SQS
 *   hands out URLs of its own endpoint. fauxqs finds a queue by the last path segment either way.
 *
 * Everything else passes through unchanged. Bounded: request size, remembered messages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessKeyIdOf } from './sigv4';
import type { LocalPrincipal } from './principals';

export interface LocalSqsOptions {
  /** fauxqs's endpoint. */
  upstream: string;
  /** A fixed port (make local keeps its endpoints across restarts); default a free one. */
  port?: number;
  /** Principals whose keys the front knows; any other key is reported as an IAM user of that key. */
  principals: readonly LocalPrincipal[];
}

export interface LocalSqs {
  endpoint: string;
  /** Teaches the front another principal (e.g. a workspace's function roles). */
  addPrincipal(principal: LocalPrincipal): void;
  stop(): Promise<void>;
}

const MAX_REQUEST_BYTES = 4 * 1_048_576;
/** Message ids remembered with their sender; the oldest are forgotten first. */
const MAX_REMEMBERED = 200_000;
const JSON_TARGET = /^AmazonSQS\.(\w+)$/;

type Json = Record<string, unknown>;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new Error(`request larger than ${MAX_REQUEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Remembers who sent which message, bounded. */
class SenderLog {
  private readonly senders = new Map<string, string>();
  record(messageId: unknown, senderId: string): void {
    if (typeof messageId !== 'string') return;
    this.senders.set(messageId, senderId);
    if (this.senders.size > MAX_REMEMBERED) this.senders.delete(this.senders.keys().next().value!);
  }
  of(messageId: unknown): string | undefined {
    return typeof messageId === 'string' ? this.senders.get(messageId) : undefined;
  }
}

/** The rewriting each answer needs, by SQS action. */
function rewriteAnswer(
  action: string,
  body: Json,
  sender: string,
  log: SenderLog,
  localUrl: (url: unknown) => unknown,
): void {
  const list = (value: unknown): Json[] =>
    Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : [];
  switch (action) {
    case 'SendMessage':
      log.record(body.MessageId, sender);
      return;
    case 'SendMessageBatch':
      for (const entry of list(body.Successful)) log.record(entry.MessageId, sender);
      return;
    case 'ReceiveMessage':
      for (const message of list(body.Messages)) reportSender(message, log);
      return;
    case 'CreateQueue':
    case 'GetQueueUrl':
      body.QueueUrl = localUrl(body.QueueUrl);
      return;
    case 'ListQueues':
      if (Array.isArray(body.QueueUrls)) body.QueueUrls = body.QueueUrls.map(localUrl);
      return;
    case 'ListDeadLetterSourceQueues':
      if (Array.isArray(body.queueUrls)) body.queueUrls = body.queueUrls.map(localUrl);
      return;
    default:
  }
}

/** Replaces fauxqs's constant SenderId with the real sender, or removes it when the sender is unknown. */
function reportSender(message: Json, log: SenderLog): void {
  const attributes = message.Attributes as Json | undefined;
  if (!attributes || !('SenderId' in attributes)) return;
  const sender = log.of(message.MessageId);
  if (sender) attributes.SenderId = sender;
  else delete attributes.SenderId;
  if (Object.keys(attributes).length === 0) delete message.Attributes;
}

interface Front {
  upstream: URL;
  log: SenderLog;
  senderOf: (request: IncomingMessage) => string;
  localUrl: (url: unknown) => unknown;
}

/** One request: passed to fauxqs as it came, its answer rewritten (SenderId, queue URLs on this front). */
async function forwardToFauxqs(front: Front, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const headers = Object.fromEntries(
    Object.entries(request.headers)
      .filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
  );
  const answer = await fetch(new URL(request.url ?? '/', front.upstream), {
    method: request.method ?? 'POST',
    headers,
    ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
  });
  let text = Buffer.from(await answer.arrayBuffer());
  const action = JSON_TARGET.exec(String(request.headers['x-amz-target'] ?? ''))?.[1];
  if (action && answer.ok && text.length > 0) {
    const parsed = JSON.parse(text.toString('utf8')) as Json;
    rewriteAnswer(action, parsed, front.senderOf(request), front.log, front.localUrl);
    text = Buffer.from(JSON.stringify(parsed), 'utf8');
  }
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(name)) out[name] = value;
  });
  response.writeHead(answer.status, { ...out, 'content-length': String(text.length) });
  response.end(text);
}

export async function startLocalSqs(options: LocalSqsOptions): Promise<LocalSqs> {
  const upstream = new URL(options.upstream);
  const senderIds = new Map(options.principals.map((p) => [p.credentials.accessKeyId, p.senderId]));
  const log = new SenderLog();
  let origin = '';
  const localUrl = (url: unknown) => (typeof url === 'string' ? url.replace(/^https?:\/\/[^/]+/, origin) : url);
  // An unknown key is reported as an IAM user's id (AIDA…), never as a role session of a function.
  const senderOf = (request: IncomingMessage) => {
    const key = accessKeyIdOf(request.headers);
    return key === undefined
      ? 'anonymous'
      : (senderIds.get(key) ??
          `AIDA${key
            .toUpperCase()
            .replace(/[^A-Z0-9]/g, '')
            .slice(0, 60)}`);
  };

  const forward = (request: IncomingMessage, response: ServerResponse) =>
    forwardToFauxqs({ upstream, log, senderOf, localUrl }, request, response);

  const server: Server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(500, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'InternalError;Receiver',
      });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.sqs#InternalError',
          message: `local SQS front: ${(error as Error).message}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint: origin,
    addPrincipal: (principal) => {
      senderIds.set(principal.credentials.accessKeyId, principal.senderId);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
