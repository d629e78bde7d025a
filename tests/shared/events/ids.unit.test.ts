/**
 * The id and model alphabets live in shared/events/ids.ts; the JSON schema must say exactly the same
 * (it cannot import them). This reads the schema file and compares, so the two can never drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DLQ_MESSAGE_ID_MAX_LENGTH,
  DLQ_MESSAGE_ID_PATTERN,
  ID_MAX_LENGTH,
  ID_PATTERN,
  MODEL_MAX_LENGTH,
  MODEL_PATTERN,
  isDlqMessageId,
} from '../../../shared/events/ids';

const schema = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'shared', 'events', 'video-event.schema.json'), 'utf8'),
);
const detail = schema.properties.detail.properties;
const replay = detail.replay.properties;

test.each([
  ['id', schema.properties.id, ID_PATTERN, ID_MAX_LENGTH],
  ['detail.jobId', detail.jobId, ID_PATTERN, ID_MAX_LENGTH],
  ['detail.userId', detail.userId, ID_PATTERN, ID_MAX_LENGTH],
  ['detail.replay.originalEventId', replay.originalEventId, ID_PATTERN, ID_MAX_LENGTH],
  ['detail.model', detail.model, MODEL_PATTERN, MODEL_MAX_LENGTH],
  ['detail.replay.dlqMessageId', replay.dlqMessageId, DLQ_MESSAGE_ID_PATTERN, DLQ_MESSAGE_ID_MAX_LENGTH],
])('the schema gives %s the pattern and lengths of shared/events/ids.ts', (_, field, pattern, maxLength) => {
  expect(field).toEqual({ type: 'string', minLength: 1, maxLength, pattern });
});

test('the patterns are anchored, and their length bound is the max length', () => {
  for (const [pattern, maxLength] of [
    [ID_PATTERN, ID_MAX_LENGTH],
    [MODEL_PATTERN, MODEL_MAX_LENGTH],
    [DLQ_MESSAGE_ID_PATTERN, DLQ_MESSAGE_ID_MAX_LENGTH],
  ] as const) {
    expect(pattern).toMatch(new RegExp(`^\\^\\[[^\\]]+\\]\\{1,${maxLength}\\}\\$$`));
  }
});

test('a DLQ message id is safe when it is 1..256 characters of the id alphabet (an SQS UUID is)', () => {
  expect(isDlqMessageId('0f9c3c56-8a3e-4a5e-9d0c-3f2b1a7e6d54')).toBe(true);
  expect(isDlqMessageId('x')).toBe(true);
  expect(isDlqMessageId('x'.repeat(256))).toBe(true);
  expect(isDlqMessageId('')).toBe(false);
  expect(isDlqMessageId('x'.repeat(257))).toBe(false);
  expect(isDlqMessageId('id\u001b[2J')).toBe(false);
  expect(isDlqMessageId('id with space')).toBe(false);
  expect(isDlqMessageId('id\n')).toBe(false);
});
