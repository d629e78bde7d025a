/**
 * The alphabets and lengths of every identifier an event carries: one home for these facts.
 * `video-event.schema.json` must use exactly these patterns and lengths (the schema stays JSON, so
 * it cannot import them; tests/unit/event-ids.test.ts reads it and proves they are equal).
 *
 * Why an alphabet at all: ids become DynamoDB keys (`job#<jobId>#debit`) and ledger attributes, and
 * they are printed to operators. ASCII letters, digits and `_.:@/-` cannot collide with the ledger's
 * `#` separator, and carry no control character, space or look-alike into a key or a terminal.
 */

/** jobId, userId, the envelope `id`, `detail.replay.originalEventId`. */
export const ID_MAX_LENGTH = 128;
export const ID_PATTERN = `^[A-Za-z0-9_.:@/-]{1,${ID_MAX_LENGTH}}$`;

/** `detail.model`: the id alphabet without `@` and `/`. */
export const MODEL_MAX_LENGTH = 64;
export const MODEL_PATTERN = `^[A-Za-z0-9_.:-]{1,${MODEL_MAX_LENGTH}}$`;

/** `detail.replay.dlqMessageId`: SQS message ids are UUIDs; the bound leaves room for other queues. */
export const DLQ_MESSAGE_ID_MAX_LENGTH = 256;
export const DLQ_MESSAGE_ID_PATTERN = `^[A-Za-z0-9_.:@/-]{1,${DLQ_MESSAGE_ID_MAX_LENGTH}}$`;

const DLQ_MESSAGE_ID = new RegExp(DLQ_MESSAGE_ID_PATTERN);

/** True when `text` may travel as `detail.replay.dlqMessageId`. */
export const isDlqMessageId = (text: string): boolean => DLQ_MESSAGE_ID.test(text);
