/**
 * Edges of the pure replay core: attribute and payload variants of each DLQ shape, what an invalid
 * event's result still says about it, entries built from unusual (but valid) envelopes, and PutEvents
 * answers the local bus never gives (a rejected non-Error, no Entries, an ErrorCode without a message).
 */
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Message } from '@aws-sdk/client-sqs';
import { dlqMessageFromSqs } from '../../../shared/replay/drain';
import { batchResponseFor, dlqMessageFromRecord } from '../../../shared/lambda/replay-handler';
import { describeFailure, recogniseMessage } from '../../../shared/dlq/message-shapes';
import {
  entrySizeBytes,
  planMessage,
  replayMessages,
  type ReplayDeps,
  type ReplayOptions,
} from '../../../shared/replay/redeliver';
import { DEFAULT_PRICE_BOOK, type PriceBook } from '../../../shared/pricing';
import type { DlqMessage } from '../../../shared/replay/types';
import { InvariantViolation } from '../../../shared/errors';
import { parseVideoEvent } from '../../../shared/events/parse-video-event';
import {
  DEFAULT_ORIGIN,
  deeplyNestedEventText,
  fixtureMessage,
  genuineTargetAttributes,
  loadFixture,
  videoEvent,
} from '../../support/replay-stack';

const options: ReplayOptions = {
  busName: 'bus-x',
  origin: DEFAULT_ORIGIN,
  priceBook: DEFAULT_PRICE_BOOK,
  maxReplays: 3,
  dryRun: false,
  dropInvalidIds: new Set<string>(),
};
const msg = (body: string, attributes: Record<string, string> = {}, messageId = 'm-1'): DlqMessage => ({
  messageId,
  body,
  attributes,
});
const invalidMsg = (body: string, messageId = 'inv-1') =>
  msg(body, { 'reconciler-kind': 'invalid_event', 'reconciler-reason': 'x', 'reconciler-handler': 'debit' }, messageId);
const ebMsg = (event: unknown, messageId = 'eb-1') =>
  msg(JSON.stringify(event), { ...genuineTargetAttributes(), ERROR_CODE: 'THROTTLING' }, messageId);
const DEBIT_LIVE = DEFAULT_ORIGIN.functions.debit.liveArn;
const destinationRecord = (overrides: Record<string, unknown>) => ({
  version: '1.0',
  timestamp: '2026-03-01T10:03:12.118Z',
  requestContext: {
    requestId: 'req-1',
    functionArn: DEBIT_LIVE,
    condition: 'RetriesExhausted',
    approximateInvokeCount: 2,
  },
  requestPayload: videoEvent('rendered', { jobId: 'd-1', userId: 'u', seconds: 5, model: 'test' }, 'dest-ev'),
  ...overrides,
});

describe('message shapes: payload and attribute variants', () => {
  test('a destination record whose responsePayload is plain text and whose responseContext is missing', () => {
    const r = recogniseMessage(
      msg(
        JSON.stringify(
          destinationRecord({ responsePayload: 'Task timed out after 3.00 seconds', responseContext: null }),
        ),
      ),
    );
    expect(r).toEqual({
      recognised: true,
      shape: 'lambda_destination',
      event: expect.objectContaining({ id: 'dest-ev' }),
      failure: {
        message: 'Task timed out after 3.00 seconds',
        attempts: 2,
        condition: 'RetriesExhausted',
        origin: DEBIT_LIVE,
        requestId: 'req-1',
      },
      claims: { functionArn: DEBIT_LIVE },
    });
    expect(r.recognised && describeFailure(r.shape, r.failure)).toBe(
      'Lambda on-failure destination record: RetriesExhausted, 2 attempt(s), Task timed out after 3.00 seconds',
    );
  });

  test('a destination record with no response at all takes the error type from nowhere and still replays', () => {
    const r = recogniseMessage(
      msg(
        JSON.stringify(
          destinationRecord({ requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 'many' } }),
        ),
      ),
    );
    expect(r).toMatchObject({
      recognised: true,
      shape: 'lambda_destination',
      failure: { condition: 'EventAgeExceeded' },
    });
    expect(r.recognised && r.failure).toEqual({ condition: 'EventAgeExceeded' });
    const plan = planMessage(
      msg(JSON.stringify(destinationRecord({ requestContext: { functionArn: DEBIT_LIVE } }))),
      options,
    );
    expect(plan).toMatchObject({
      kind: 'publish',
      result: {
        shape: 'lambda_destination',
        failure: 'Lambda on-failure destination record',
        originalEventId: 'dest-ev',
      },
    });
  });

  test('a bus failure record without an error code, with malformed entries: only the real event ids are quoted', () => {
    const body = {
      version: '1.0',
      busArn: 'arn:aws:events:eu-west-1:1:event-bus/b',
      failedMessages: [{ eventId: 'e-1' }, 'junk', null, { eventId: 42 }, { eventId: 'e-2' }],
    };
    const r = recogniseMessage(msg(JSON.stringify(body)));
    expect(r).toMatchObject({ recognised: false, eventIds: ['e-1', 'e-2'], hint: expect.stringContaining('archive') });
    expect(!r.recognised && r.reason).toBe(
      'an EventBridge bus failure record (no error code): it names 5 event(s) but carries none',
    );
    expect(planMessage(msg(JSON.stringify(body)), { ...options, dropInvalidIds: new Set(['m-1']) })).toMatchObject({
      kind: 'decided',
      result: { outcome: 'left_unrecognised', remove: false, details: ['event e-1', 'event e-2'] },
    });
  });

  test('describeFailure of a shape that reported nothing is just the shape', () => {
    expect(describeFailure('lambda_dlq', {})).toBe('Lambda function dead-letter message');
    const r = recogniseMessage(
      msg(JSON.stringify(videoEvent('failed', { jobId: 'j', userId: 'u', seconds: 1, model: 'test' })), {
        RequestID: '',
        ErrorMessage: '',
      }),
    );
    expect(r).toMatchObject({ recognised: true, shape: 'lambda_dlq', failure: {} });
  });

  test('Lambda DLQ attributes need RequestID and one of ErrorCode/ErrorMessage; a lone RequestID is not enough', () => {
    const body = JSON.stringify(videoEvent('failed', { jobId: 'j', userId: 'u', seconds: 1, model: 'test' }));
    expect(recogniseMessage(msg(body, { RequestID: 'r' }))).toMatchObject({
      recognised: false,
      reason: expect.stringContaining('bare event'),
    });
    expect(recogniseMessage(msg(body, { RequestID: 'r', ErrorCode: '500' }))).toMatchObject({
      recognised: true,
      failure: { code: '500', requestId: 'r' },
    });
  });
});

describe('invalid events: the result still names what it can', () => {
  test.each([
    ['not JSON at all', 'plain text event', 'event is not JSON'],
    ['JSON null', 'null', 'event does not match the video event schema'],
    ['a JSON number', '7', 'event does not match the video event schema'],
  ])('%s is left invalid, with no identity', (_, body, reason) => {
    const plan = planMessage(invalidMsg(body), options);
    expect(plan.kind).toBe('decided');
    expect(plan.result).toMatchObject({
      outcome: 'left_invalid',
      remove: false,
      shape: 'reconciler_invalid',
      reason,
      hint: expect.stringContaining('--drop-invalid'),
    });
    expect(plan.result).not.toHaveProperty('originalEventId');
    expect(plan.result).not.toHaveProperty('jobId');
    expect(plan.result).not.toHaveProperty('detailType');
  });

  test('the original event id is taken from detail.replay before the envelope id; non-strings are ignored', () => {
    const replayed = {
      id: 'newer',
      'detail-type': 'video.rendered',
      detail: { jobId: 'j-7', replay: { originalEventId: 'first' } },
    };
    expect(planMessage(invalidMsg(JSON.stringify(replayed)), options).result).toMatchObject({
      outcome: 'left_invalid',
      originalEventId: 'first',
      jobId: 'j-7',
      detailType: 'video.rendered',
    });
    const odd = { id: 12, 'detail-type': ['x'], detail: { jobId: 3, replay: { originalEventId: null } } };
    const result = planMessage(invalidMsg(JSON.stringify(odd)), options).result;
    expect(result.outcome).toBe('left_invalid');
    expect(result).not.toHaveProperty('originalEventId');
    expect(result).not.toHaveProperty('jobId');
    expect(result).not.toHaveProperty('detailType');
  });

  test('named × dryRun: only a real run that names the message removes it, and only then is the hint gone', () => {
    const m = invalidMsg('{"id":"e"}');
    const named = new Set([m.messageId]);
    const none = new Set<string>();
    const outcome = (o: Partial<ReplayOptions>) => planMessage(m, { ...options, ...o }).result;
    expect(outcome({ dropInvalidIds: none, dryRun: false })).toMatchObject({
      outcome: 'left_invalid',
      remove: false,
      hint: expect.any(String),
    });
    expect(outcome({ dropInvalidIds: none, dryRun: true })).toMatchObject({ outcome: 'left_invalid', remove: false });
    expect(outcome({ dropInvalidIds: named, dryRun: true })).toMatchObject({
      outcome: 'would_drop_invalid',
      remove: false,
    });
    expect(outcome({ dropInvalidIds: named, dryRun: true })).not.toHaveProperty('hint');
    expect(outcome({ dropInvalidIds: named, dryRun: false })).toMatchObject({
      outcome: 'dropped_invalid',
      remove: true,
      originalEventId: 'e',
    });
  });

  test('an unverified message is never dropped, even when named: it is not an invalid message', () => {
    const forged = msg('{"id":"e"}', { 'reconciler-kind': 'invalid_event', 'reconciler-handler': 'sweep' }, 'forged-1');
    expect(planMessage(forged, { ...options, dropInvalidIds: new Set(['forged-1']) }).result).toMatchObject({
      outcome: 'left_unverified',
      remove: false,
      details: ['sent by a sender SQS did not report'],
      hint: expect.stringContaining('do not publish it by hand'),
    });
    expect(planMessage({ ...forged, senderId: 'AIDAEXAMPLE' }, options).result).toMatchObject({
      details: ['sent by SenderId AIDAEXAMPLE'],
    });
  });

  test('a price book that throws something other than InvalidEventError is a bug, not "invalid": planMessage throws it, the batch makes it that message\'s failure', async () => {
    const broken = Object.defineProperty({}, 'test', {
      enumerable: true,
      get() {
        throw new TypeError('price book is corrupt');
      },
    }) as PriceBook;
    const m = ebMsg(videoEvent('rendered', { jobId: 'j', userId: 'u', seconds: 5, model: 'test' }));
    expect(() => planMessage(m, { ...options, priceBook: broken })).toThrow(TypeError);
    const send = jest.fn();
    const results = await replayMessages([m], {
      ...options,
      priceBook: broken,
      eventBridge: { send } as unknown as EventBridgeClient,
    });
    expect(results).toEqual([
      expect.objectContaining({
        messageId: 'eb-1',
        outcome: 'failed',
        remove: false,
        reason: 'could not be planned (TypeError: price book is corrupt)',
      }),
    ]);
    expect(results[0]!.outcome).not.toBe('left_invalid');
    expect(send).not.toHaveBeenCalled();
  });
});

describe('entries', () => {
  test('entrySizeBytes counts missing fields as zero', () => {
    expect(entrySizeBytes({})).toBe(0);
    expect(entrySizeBytes({ Detail: '{}' })).toBe(2);
  });

  test('a schema-valid time that is no real date is not sent: the bus stamps its own', () => {
    const event = {
      ...videoEvent('rendered', { jobId: 'j', userId: 'u', seconds: 5, model: 'test' }),
      time: '2026-13-01T00:00:00Z',
      resources: ['arn:r:1'],
    };
    const plan = planMessage(ebMsg(event), options);
    expect(plan.kind).toBe('publish');
    if (plan.kind !== 'publish') return;
    expect(plan.entry).not.toHaveProperty('Time');
    expect(plan.entry.Resources).toEqual(['arn:r:1']);
    expect(plan.sizeBytes).toBe(entrySizeBytes(plan.entry));
  });

  test('a DLQ message id longer than the schema allows is cut to 256 characters in detail.replay', () => {
    const plan = planMessage(
      ebMsg(videoEvent('rendered', { jobId: 'j', userId: 'u', seconds: 5, model: 'test' }), 'x'.repeat(300)),
      options,
    );
    expect(plan.kind === 'publish' && JSON.parse(plan.entry.Detail!).replay.dlqMessageId).toBe('x'.repeat(256));
  });

  test.each([
    ['empty', ''],
    ['with a control character', 'm\u001b[2J'],
    ['with a space', 'm 1'],
  ])(
    'a DLQ message id outside the id alphabet (%s) is left out of detail.replay, so the replayed event stays valid',
    (_, messageId) => {
      const event = videoEvent('rendered', { jobId: 'j', userId: 'u', seconds: 5, model: 'test' }, 'ev-a');
      const plan = planMessage(ebMsg(event, messageId), options);
      expect(plan.kind).toBe('publish');
      if (plan.kind !== 'publish') return;
      const detail = JSON.parse(plan.entry.Detail!);
      expect(detail.replay).toEqual({ count: 1, originalEventId: 'ev-a' });
      expect(parseVideoEvent({ ...event, id: 'ev-b', detail }, DEFAULT_PRICE_BOOK).event.eventId).toBe('ev-a');
    },
  );
});

describe('PutEvents answers the local bus never gives', () => {
  const messages = [0, 1, 2].map((i) =>
    ebMsg(videoEvent('rendered', { jobId: `pe-${i}`, userId: 'u', seconds: 5, model: 'test' }, `ev-${i}`), `m-${i}`),
  );
  const depsWith = (send: (command: PutEventsCommand) => Promise<unknown>): ReplayDeps => ({
    ...options,
    eventBridge: { send: jest.fn(send) } as unknown as EventBridgeClient,
  });

  test('a request rejected with something that is not an Error keeps every message, with a readable reason', async () => {
    const deps = depsWith(() => Promise.reject('socket hang up'));
    const results = await replayMessages(messages, deps);
    expect(results.map((r) => [r.messageId, r.outcome, r.remove])).toEqual([
      ['m-0', 'failed', false],
      ['m-1', 'failed', false],
      ['m-2', 'failed', false],
    ]);
    expect(results[0]!.reason).toBe('PutEvents failed: Error: socket hang up');
    expect(deps.eventBridge.send).toHaveBeenCalledTimes(1);
  });

  test('an error with a name but no message, and a long message, are reported (cut to 500 characters)', async () => {
    const nameOnly = await replayMessages(
      messages.slice(0, 1),
      depsWith(() => Promise.reject({ name: 'TimeoutError' })),
    );
    expect(nameOnly[0]!.reason).toBe('PutEvents failed: TimeoutError: [object Object]');
    const long = await replayMessages(
      messages.slice(0, 1),
      depsWith(() => Promise.reject(new Error('y'.repeat(2000)))),
    );
    expect(long[0]!.reason).toBe(`PutEvents failed: Error: ${'y'.repeat(500)}`);
  });

  test('a response without Entries: nothing is known accepted, so nothing may leave', async () => {
    const results = await replayMessages(
      messages,
      depsWith(async () => ({ FailedEntryCount: 0 })),
    );
    expect(
      results.every(
        (r) =>
          r.outcome === 'failed' && !r.remove && r.reason === 'the bus refused it (PutEvents returned no entry for it)',
      ),
    ).toBe(true);
  });

  test('per entry: an ErrorCode without a message, an entry with neither id nor code, an id with a code, and an accepted one', async () => {
    const results = await replayMessages(
      messages.concat(ebMsg(videoEvent('failed', { jobId: 'pe-3', userId: 'u', seconds: 5, model: 'test' }), 'm-3')),
      depsWith(async () => ({
        FailedEntryCount: 3,
        Entries: [
          { ErrorCode: 'ThrottlingException' },
          {},
          { EventId: 'half', ErrorCode: 'InternalFailure', ErrorMessage: 'odd' },
          { EventId: 'new-3' },
        ],
      })),
    );
    expect(results.map((r) => [r.outcome, r.remove, r.reason, r.newEventId])).toEqual([
      ['failed', false, 'the bus refused it (ThrottlingException: no message)', undefined],
      ['failed', false, 'the bus refused it (PutEvents returned no entry for it)', undefined],
      ['failed', false, 'the bus refused it (InternalFailure: odd)', undefined],
      ['replayed', true, undefined, 'new-3'],
    ]);
  });
});

describe('reading messages: SQS ReceiveMessage and Lambda records', () => {
  test('an SQS message missing optional parts still becomes a message (no handle, no count, binary attributes skipped)', () => {
    expect(dlqMessageFromSqs({} as Message)).toEqual({ messageId: '', body: '', attributes: {} });
    expect(
      dlqMessageFromSqs({
        MessageId: 'a',
        Body: 'b',
        ReceiptHandle: 'h',
        Attributes: { ApproximateReceiveCount: 'x' },
        MessageAttributes: {
          Bin: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) },
          S: { DataType: 'String', StringValue: 'v' },
        },
      }),
    ).toEqual({ messageId: 'a', body: 'b', attributes: { S: 'v' }, receiptHandle: 'h' });
  });

  test('a Lambda record without handle, attributes or message attributes; null and binary attributes are skipped', () => {
    expect(dlqMessageFromRecord({ messageId: 'r-1', body: '{}' })).toEqual({
      messageId: 'r-1',
      body: '{}',
      attributes: {},
    });
    expect(
      dlqMessageFromRecord({
        messageId: 'r-2',
        body: '{}',
        receiptHandle: '',
        attributes: { ApproximateReceiveCount: '3' },
        messageAttributes: {
          Bin: { dataType: 'Binary' },
          Null: { stringValue: null, dataType: 'String' },
          ErrorCode: { stringValue: '200', dataType: 'Number' },
        },
      }),
    ).toEqual({ messageId: 'r-2', body: '{}', attributes: { ErrorCode: '200' }, receiveCount: 3 });
  });

  test('the partial batch response names exactly the records that may not leave, in record order', () => {
    expect(
      batchResponseFor([
        { messageId: 'a', outcome: 'replayed', remove: true },
        { messageId: 'b', outcome: 'left_invalid', remove: false },
        { messageId: 'c', outcome: 'dropped_invalid', remove: true },
        { messageId: 'd', outcome: 'failed', remove: false },
      ]),
    ).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'd' }] });
    expect(batchResponseFor([])).toEqual({ batchItemFailures: [] });
  });

  test('fixtures read through both paths give the same message', () => {
    const f = loadFixture('lambda-dlq');
    const m = fixtureMessage(f, 'same');
    const viaRecord = dlqMessageFromRecord({
      messageId: 'same',
      body: m.body,
      attributes: { SenderId: m.senderId! },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
      ),
    });
    expect(viaRecord).toEqual(m);
  });
});

describe('one message never stops a batch (security review M3)', () => {
  /** A price book whose entry for `model` throws `thrown` when it is read: a bug only that message reaches. */
  const throwingFor = (model: string, thrown: () => unknown): PriceBook =>
    Object.defineProperty({ ...DEFAULT_PRICE_BOOK }, model, {
      enumerable: true,
      get() {
        throw thrown();
      },
    }) as PriceBook;
  const accepting = () => {
    const send = jest.fn(async (command: PutEventsCommand) => ({
      FailedEntryCount: 0,
      Entries: command.input.Entries!.map((_, i) => ({ EventId: `new-${i}` })),
    }));
    return {
      send,
      deps: (o: Partial<ReplayOptions> = {}): ReplayDeps => ({
        ...options,
        ...o,
        eventBridge: { send } as unknown as EventBridgeClient,
      }),
    };
  };
  const valid = (i: number) =>
    ebMsg(
      videoEvent('rendered', { jobId: `ok-${i}`, userId: 'u', seconds: 5, model: 'test' }, `ok-ev-${i}`),
      `ok-${i}`,
    );

  test('a message nested 100,000 deep is invalid at the door (the schema bounds unknown fields): left, naming the field; the valid ones around it are published', async () => {
    const { send, deps } = accepting();
    const deep = msg(
      deeplyNestedEventText('deep-1', 'deep-ev'),
      { ...genuineTargetAttributes(), ERROR_CODE: 'THROTTLING' },
      'deep',
    );
    const results = await replayMessages([valid(0), deep, valid(1)], deps());
    expect(results.map((r) => [r.messageId, r.outcome, r.remove])).toEqual([
      ['ok-0', 'replayed', true],
      ['deep', 'left_invalid', false],
      ['ok-1', 'replayed', true],
    ]);
    expect(results[1]).toMatchObject({
      reason: 'event does not match the video event schema',
      details: ['/detail/nest/0 must be string,number,boolean,null'],
      shape: 'eventbridge_target_dlq',
      jobId: 'deep-1',
      originalEventId: 'deep-ev',
      detailType: 'video.rendered',
    });
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0].input.Entries!.map((e) => JSON.parse(e.Detail!).jobId)).toEqual(['ok-0', 'ok-1']);
  });

  test('should anything still fail to stringify (the overflow M3 found), that message fails alone with the reason', async () => {
    const { send, deps } = accepting();
    const stringify = JSON.stringify;
    const spy = jest
      .spyOn(JSON, 'stringify')
      .mockImplementation((value: unknown, replacer?: (string | number)[] | null, space?: string | number) => {
        if ((value as { jobId?: unknown } | null)?.jobId === 'too-deep')
          throw new RangeError('Maximum call stack size exceeded');
        return stringify(value, replacer, space);
      });
    try {
      const poisoned = ebMsg(
        videoEvent('rendered', { jobId: 'too-deep', userId: 'u', seconds: 5, model: 'test' }, 'td-ev'),
        'td',
      );
      const results = await replayMessages([valid(0), poisoned, valid(1)], deps());
      expect(results.map((r) => [r.messageId, r.outcome, r.remove])).toEqual([
        ['ok-0', 'replayed', true],
        ['td', 'failed', false],
        ['ok-1', 'replayed', true],
      ]);
      expect(results[1]).toMatchObject({
        reason: 'could not be planned (RangeError: Maximum call stack size exceeded)',
        hint: expect.stringContaining('stays in the DLQ'),
        shape: 'eventbridge_target_dlq',
        jobId: 'too-deep',
        originalEventId: 'td-ev',
        detailType: 'video.rendered',
      });
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test('a message whose planning throws for another reason (injected) fails alone, in a real run and in a dry run', async () => {
    const poisoned = ebMsg(
      videoEvent('rendered', { jobId: 'boom-1', userId: 'u', seconds: 5, model: 'gen-pro' }, 'boom-ev'),
      'boom',
    );
    const priceBook = throwingFor('gen-pro', () => new TypeError('price book is corrupt'));
    for (const dryRun of [false, true]) {
      const { send, deps } = accepting();
      const results = await replayMessages([valid(0), poisoned, valid(1)], deps({ priceBook, dryRun }));
      expect(results.map((r) => [r.messageId, r.outcome, r.remove])).toEqual([
        ['ok-0', dryRun ? 'would_replay' : 'replayed', !dryRun],
        ['boom', 'failed', false],
        ['ok-1', dryRun ? 'would_replay' : 'replayed', !dryRun],
      ]);
      expect(results[1]).toMatchObject({
        reason: 'could not be planned (TypeError: price book is corrupt)',
        jobId: 'boom-1',
        originalEventId: 'boom-ev',
      });
      expect(send).toHaveBeenCalledTimes(dryRun ? 0 : 1);
    }
  });

  test.each([
    ['a string', () => 'just text', 'Error: just text'],
    ['undefined', () => undefined, 'Error: undefined'],
    ['an object without a prototype', () => Object.create(null), 'Error: a value that cannot be converted to text'],
    ['an error with a very long message', () => new Error('z'.repeat(2000)), `Error: ${'z'.repeat(500)}`],
  ])('whatever is thrown (%s) becomes a readable reason', async (_, thrown, text) => {
    const { deps } = accepting();
    const poisoned = ebMsg(
      videoEvent('rendered', { jobId: 'odd-1', userId: 'u', seconds: 5, model: 'gen-pro' }),
      'odd',
    );
    const results = await replayMessages([poisoned, valid(0)], deps({ priceBook: throwingFor('gen-pro', thrown) }));
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'replayed']);
    expect(results[0]!.reason).toBe(`could not be planned (${text})`);
  });

  test('a message whose shape cannot even be read fails with its reason and no identity; the next one goes on', async () => {
    const { deps } = accepting();
    // Attributes that throw whenever one is read: recognising the shape throws, and so does describing it afterwards.
    const attributes = new Proxy({} as Record<string, string>, {
      get() {
        throw new Error('attributes unreadable');
      },
    });
    const poisoned: DlqMessage = {
      messageId: 'p',
      body: JSON.stringify(videoEvent('rendered', { jobId: 'p-1', userId: 'u', seconds: 5, model: 'test' })),
      attributes,
    };
    const results = await replayMessages([poisoned, valid(0)], deps());
    expect(results[0]).toEqual({
      messageId: 'p',
      outcome: 'failed',
      remove: false,
      reason: 'could not be planned (Error: attributes unreadable)',
      hint: expect.any(String),
    });
    expect(results[1]).toMatchObject({ messageId: 'ok-0', outcome: 'replayed' });
  });

  test('options wrong for the whole batch are still a bug: replayMessages throws before planning or publishing anything', async () => {
    const { send, deps } = accepting();
    for (const maxReplays of [0, 101, 2.5]) {
      await expect(replayMessages([valid(0)], deps({ maxReplays }))).rejects.toThrow(InvariantViolation);
    }
    expect(send).not.toHaveBeenCalled();
  });
});
