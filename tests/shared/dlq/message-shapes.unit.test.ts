/** Recognition of every DLQ message shape (pure): one fixture per shape, plus the edges of each. */
import { recogniseMessage, MAX_BODY_CHARS, describeFailure } from '../../../shared/dlq/message-shapes';
import { dlqMessageFromSqs } from '../../../shared/replay/drain';
import { dlqMessageFromRecord } from '../../../shared/lambda/replay-handler';
import { lambdaSqsRecord } from '../../../local/sqs-event';
import { fixtureMessage, fixtureNames, loadFixture } from '../../support/replay-stack';

const msg = (body: string, attributes: Record<string, string> = {}) => ({ messageId: 'm-1', body, attributes });

describe('the fixtures: one per shape', () => {
  test('the fixture set covers every recognised shape and the unrecognised ones', () => {
    const shapes = new Set(fixtureNames().map((n) => loadFixture(n).shape));
    expect(shapes).toEqual(
      new Set(['eventbridge_target_dlq', 'lambda_destination', 'lambda_dlq', 'reconciler_invalid', null]),
    );
  });

  test.each(fixtureNames())('%s is recognised as its declared shape and yields the original event', (name) => {
    const fixture = loadFixture(name);
    const recognition = recogniseMessage(fixtureMessage(fixture));
    if (fixture.shape === null) {
      expect(recognition.recognised).toBe(false);
      return;
    }
    expect(recognition).toMatchObject({ recognised: true, shape: fixture.shape });
    const expectedEvent =
      fixture.shape === 'lambda_destination' ? (fixture.message.body as any).requestPayload : fixture.message.body;
    expect(recognition.recognised && recognition.event).toEqual(expectedEvent);
  });
});

describe('what each shape claims about its origin, exactly as written (provenance.ts judges it)', () => {
  test.each([
    [
      'eventbridge-target-dlq',
      {
        ruleArn: expect.stringMatching(/:rule\/cc-reconciler-events-prod\/cc-reconciler-video-rendered-prod$/),
        targetArn: expect.stringMatching(/debit-prod:live$/),
      },
    ],
    ['lambda-destination', { functionArn: expect.stringMatching(/:function:cc-agent-reconciler-debit-prod:live$/) }],
    ['lambda-dlq', {}],
    ['reconciler-invalid', { handler: 'refund' }],
  ])('%s', (name, claims) => {
    expect(recogniseMessage(fixtureMessage(loadFixture(name)))).toMatchObject({ recognised: true, claims });
  });
  test('claims that are not text are absent, not coerced', () => {
    const r = recogniseMessage(
      msg(JSON.stringify({ version: '1.0', requestContext: { functionArn: ['arn'] }, requestPayload: {} })),
    );
    expect(r).toMatchObject({ recognised: true, claims: {} });
  });
});

describe('EventBridge target DLQ', () => {
  const f = loadFixture('eventbridge-target-dlq');
  test('reports the failure from the attributes', () => {
    const r = recogniseMessage(fixtureMessage(f));
    expect(r).toMatchObject({
      recognised: true,
      failure: { code: 'THROTTLING', message: 'Rate Exceeded.', attempts: 3, condition: 'MaximumRetryAttempts' },
    });
    expect(r.recognised && describeFailure(r.shape, r.failure)).toBe(
      'EventBridge target DLQ message: THROTTLING, MaximumRetryAttempts, 3 attempt(s), Rate Exceeded.',
    );
  });
  test('any one of its attributes is enough (AWS may omit some)', () => {
    expect(recogniseMessage(msg(JSON.stringify(f.message.body), { ERROR_CODE: 'SDK_CLIENT_ERROR' }))).toMatchObject({
      recognised: true,
      shape: 'eventbridge_target_dlq',
    });
  });
  test('a body that is not a JSON object is unrecognised, not guessed', () => {
    expect(recogniseMessage(msg('not json', { ERROR_CODE: 'X' }))).toMatchObject({ recognised: false });
    expect(recogniseMessage(msg('[1,2]', { RULE_ARN: 'arn' }))).toMatchObject({ recognised: false });
  });
});

describe('Lambda on-failure destination record', () => {
  const f = loadFixture('lambda-destination');
  const record = f.message.body as any;
  test('the event is requestPayload; the error comes from responsePayload', () => {
    expect(recogniseMessage(fixtureMessage(f))).toMatchObject({
      recognised: true,
      shape: 'lambda_destination',
      event: record.requestPayload,
      failure: {
        code: 'TransientError',
        condition: 'RetriesExhausted',
        attempts: 3,
        message: 'settlement still conflicting after 4 attempts',
        requestId: record.requestContext.requestId,
      },
    });
  });
  test('EventAgeExceeded (no response payload) is a failure record too', () => {
    const aged = {
      ...record,
      requestContext: { ...record.requestContext, condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
      responseContext: { statusCode: 0 },
      responsePayload: null,
    };
    expect(recogniseMessage(msg(JSON.stringify(aged)))).toMatchObject({
      recognised: true,
      failure: { condition: 'EventAgeExceeded', attempts: 0 },
    });
  });
  test('an on-success record is not a failure: unrecognised with a hint', () => {
    const success = { ...record, requestContext: { ...record.requestContext, condition: 'Success' } };
    expect(recogniseMessage(msg(JSON.stringify(success)))).toMatchObject({
      recognised: false,
      reason: expect.stringContaining('on-success'),
    });
  });
});

describe('Lambda function dead-letter message', () => {
  test('needs RequestID with ErrorCode or ErrorMessage', () => {
    const f = loadFixture('lambda-dlq');
    expect(recogniseMessage(fixtureMessage(f))).toMatchObject({
      recognised: true,
      shape: 'lambda_dlq',
      failure: { code: '200', message: 'Task timed out after 30.03 seconds' },
    });
    expect(recogniseMessage(msg(JSON.stringify(f.message.body), { RequestID: 'r' }))).toMatchObject({
      recognised: false,
    });
  });
});

describe('reconciler invalid-event message', () => {
  test('the reason comes from the attributes; a body that is not JSON is kept as text', () => {
    const r = recogniseMessage(
      msg('{oops', {
        'reconciler-kind': 'invalid_event',
        'reconciler-reason': 'event is not JSON',
        'reconciler-handler': 'debit',
      }),
    );
    expect(r).toMatchObject({
      recognised: true,
      shape: 'reconciler_invalid',
      event: '{oops',
      failure: { code: 'event is not JSON', origin: 'debit' },
    });
  });
  test('its kind attribute wins over everything else', () => {
    const r = recogniseMessage(
      msg('{}', { 'reconciler-kind': 'invalid_event', ERROR_CODE: 'X', RequestID: 'y', ErrorCode: '200' }),
    );
    expect(r).toMatchObject({ recognised: true, shape: 'reconciler_invalid' });
  });
});

describe('unrecognised', () => {
  test("the newer bus type's failure record names its events and points to the archive", () => {
    const f = loadFixture('eventbridge-bus-failure-record');
    expect(recogniseMessage(fixtureMessage(f))).toEqual({
      recognised: false,
      reason: expect.stringContaining('carries none'),
      hint: expect.stringContaining('archive'),
      eventIds: f.expect.eventIds,
    });
  });
  test.each([
    ['plain text', 'hello'],
    ['a JSON array', '[1]'],
    ['a JSON number', '42'],
    ['an object of no known shape', '{"a":1}'],
    ['a bare event without DLQ attributes', JSON.stringify({ 'detail-type': 'video.rendered', detail: {} })],
    ['an empty body', ''],
    ['a body over the size bound', 'x'.repeat(MAX_BODY_CHARS + 1)],
  ])('%s', (_, body) => {
    expect(recogniseMessage(msg(body))).toMatchObject({ recognised: false, reason: expect.any(String) });
  });
});

describe('both readers build the same message', () => {
  test("SQS ReceiveMessage and Lambda's SQS record carry the same attributes to recognition", () => {
    const f = loadFixture('eventbridge-target-dlq');
    const sqsMessage = {
      MessageId: 'id-1',
      ReceiptHandle: 'rh',
      Body: JSON.stringify(f.message.body),
      MessageAttributes: f.message.attributes,
      Attributes: { ApproximateReceiveCount: '2', SenderId: 'AIDAEXAMPLE' },
    };
    const fromSqs = dlqMessageFromSqs(sqsMessage);
    const fromLambda = dlqMessageFromRecord(lambdaSqsRecord(sqsMessage));
    expect(fromLambda).toEqual(fromSqs);
    expect(fromSqs).toMatchObject({
      messageId: 'id-1',
      receiveCount: 2,
      senderId: 'AIDAEXAMPLE',
      attributes: { RETRY_ATTEMPTS: '3' },
    });
  });
});
