/** Re-delivery decisions and PutEvents batching (pure), and publishing against the local EventBridge. */
import {
  chunkForPutEvents,
  entrySizeBytes,
  planMessage,
  PUT_EVENTS_MAX_BYTES,
  type ReplayOptions,
} from '../../../shared/replay/redeliver';
import { DEFAULT_PRICE_BOOK } from '../../../shared/pricing';
import { parseVideoEvent } from '../../../shared/events/parse-video-event';
import {
  DEFAULT_ORIGIN,
  bulkFields,
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
const ebMessage = (event: unknown, messageId = 'dlq-1') => ({
  messageId,
  body: JSON.stringify(event),
  attributes: { ...genuineTargetAttributes(), ERROR_CODE: 'THROTTLING' },
});

describe('planMessage', () => {
  test('keeps source, detail-type, detail, resources and time; adds replay {count, originalEventId, dlqMessageId}', () => {
    const f = loadFixture('eventbridge-target-dlq');
    const plan = planMessage(fixtureMessage(f, 'dlq-msg-9'), options);
    expect(plan.kind).toBe('publish');
    if (plan.kind !== 'publish') return;
    const original = f.message.body as any;
    expect(plan.entry).toEqual({
      Source: 'video.generation',
      DetailType: 'video.rendered',
      Resources: original.resources,
      EventBusName: 'bus-x',
      Time: new Date(original.time),
      Detail: JSON.stringify({
        ...original.detail,
        replay: { count: 1, originalEventId: original.id, dlqMessageId: 'dlq-msg-9' },
      }),
    });
    expect(plan.result).toMatchObject({
      shape: 'eventbridge_target_dlq',
      originalEventId: original.id,
      jobId: 'fx-eb-1',
      replayCount: 1,
    });
  });

  test('a replayed event keeps its original id and counts up; the settlement sees the same eventId', () => {
    const event = videoEvent(
      'rendered',
      {
        jobId: 'j',
        userId: 'u',
        seconds: 5,
        model: 'test',
        replay: { count: 2, originalEventId: 'first-id', dlqMessageId: 'old' },
      },
      'third-id',
    );
    const plan = planMessage(ebMessage(event), options);
    expect(plan.kind).toBe('publish');
    if (plan.kind !== 'publish') return;
    const detail = JSON.parse(plan.entry.Detail!);
    expect(detail.replay).toEqual({ count: 3, originalEventId: 'first-id', dlqMessageId: 'dlq-1' });
    const republished = { ...event, id: 'fourth-id', detail };
    expect(parseVideoEvent(republished, DEFAULT_PRICE_BOOK).event.eventId).toBe('first-id');
  });

  test('an event at the detail property limit stays valid once replay adds its field', () => {
    const own = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, i]));
    const event = videoEvent('failed', { jobId: 'j', userId: 'u', seconds: 5, model: 'test', ...own });
    expect(Object.keys(event.detail)).toHaveLength(64);
    const plan = planMessage(ebMessage(event), options);
    expect(plan.kind).toBe('publish');
    if (plan.kind !== 'publish') return;
    const republished = { ...event, id: 'second-id', detail: JSON.parse(plan.entry.Detail!) };
    expect(Object.keys(republished.detail)).toHaveLength(65);
    expect(parseVideoEvent(republished, DEFAULT_PRICE_BOOK).event).toMatchObject({ eventId: event.id, jobId: 'j' });
  });

  test('an event at the replay maximum is left, not re-published', () => {
    const event = videoEvent('rendered', {
      jobId: 'j',
      userId: 'u',
      seconds: 5,
      model: 'test',
      replay: { count: 3, originalEventId: 'first-id' },
    });
    expect(planMessage(ebMessage(event), options)).toMatchObject({
      kind: 'decided',
      result: { outcome: 'left_too_many_replays', remove: false, replayCount: 3, originalEventId: 'first-id' },
    });
  });

  test('invalid events: left, or dropped only when the operator named its id (and never in a dry run)', () => {
    const invalid = fixtureMessage(loadFixture('reconciler-invalid-still-invalid'));
    const named = new Set([invalid.messageId]);
    expect(planMessage(invalid, options)).toMatchObject({
      kind: 'decided',
      result: {
        outcome: 'left_invalid',
        remove: false,
        reason: 'unknown model and no quoted credits',
        hint: `fix the producer, or once understood drop it by its id: --drop-invalid ${invalid.messageId}`,
      },
    });
    expect(planMessage(invalid, { ...options, dropInvalidIds: named })).toMatchObject({
      result: { outcome: 'dropped_invalid', remove: true },
    });
    expect(planMessage(invalid, { ...options, dropInvalidIds: named, dryRun: true })).toMatchObject({
      result: { outcome: 'would_drop_invalid', remove: false },
    });
    // Another message's id drops nothing here.
    expect(planMessage(invalid, { ...options, dropInvalidIds: new Set(['some-other-id']) })).toMatchObject({
      result: { outcome: 'left_invalid', remove: false },
    });
    expect(
      planMessage(
        ebMessage({
          ...videoEvent('rendered', { jobId: 'j', userId: 'u', seconds: 5, model: 'test' }),
          source: 'other',
        }),
        options,
      ),
    ).toMatchObject({ result: { outcome: 'left_invalid' } });
  });

  test('unrecognised messages are left, with the reason and hint', () => {
    expect(
      planMessage(fixtureMessage(loadFixture('eventbridge-bus-failure-record')), {
        ...options,
        dropInvalidIds: new Set(['msg-eventbridge-bus-failure-record']),
      }),
    ).toMatchObject({
      kind: 'decided',
      result: {
        outcome: 'left_unrecognised',
        remove: false,
        hint: expect.stringContaining('archive'),
        details: expect.arrayContaining([expect.stringContaining('11111111')]),
      },
    });
  });

  test('dry run decides the same and publishes nothing', () => {
    expect(planMessage(fixtureMessage(loadFixture('lambda-dlq')), { ...options, dryRun: true })).toMatchObject({
      kind: 'decided',
      result: { outcome: 'would_replay', remove: false, replayCount: 1 },
    });
  });

  test('an event too large to publish after adding the replay field fails and stays', () => {
    const huge = videoEvent('rendered', {
      jobId: 'j',
      userId: 'u',
      seconds: 5,
      model: 'test',
      ...bulkFields(PUT_EVENTS_MAX_BYTES),
    });
    expect(planMessage(ebMessage(huge), options)).toMatchObject({
      kind: 'decided',
      result: { outcome: 'failed', remove: false, reason: expect.stringContaining('too large') },
    });
  });

  test('maxReplays outside 1..100 is a bug, not a setting', () => {
    expect(() => planMessage(ebMessage({}), { ...options, maxReplays: 0 })).toThrow('maxReplays');
    expect(() => planMessage(ebMessage({}), { ...options, maxReplays: 101 })).toThrow('maxReplays');
  });
});

describe('PutEvents sizing and batching', () => {
  test("entry size follows EventBridge's documented calculation (UTF-8 bytes; Time counts 14)", () => {
    expect(entrySizeBytes({ Source: 'ab', DetailType: 'é', Detail: '{"a":"€"}', Resources: ['r1', 'r2'] })).toBe(
      2 + 2 + 11 + 4,
    );
    expect(entrySizeBytes({ Source: 'ab', DetailType: 'c', Detail: '{}', Time: new Date() })).toBe(14 + 2 + 1 + 2);
  });
  test('at most 10 entries per request', () => {
    const chunks = chunkForPutEvents(Array.from({ length: 23 }, () => ({ sizeBytes: 100 })));
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
  });
  test('at most 256 KB per request, in order', () => {
    const items = [100_000, 100_000, 100_000, 262_144, 1].map((sizeBytes, i) => ({ sizeBytes, i }));
    expect(chunkForPutEvents(items).map((c) => c.map((x) => x.i))).toEqual([[0, 1], [2], [3], [4]]);
  });
});
