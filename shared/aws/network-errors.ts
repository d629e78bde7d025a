/**
 * One answer to "is this a network error?", for the ledger's retries (a network error after sending
 * may or may not have been applied) and for the CLI's "cannot reach" message.
 */

/** Node and undici codes of a connection that failed or broke. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

const IN_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES].join('|')})\\b`);

/**
 * The network code `error` carries, else undefined. The SDK sometimes wraps it ("AWS SDK error
 * wrapper for Error: connect ECONNREFUSED"), so it is looked for in `cause`, in an aggregate's first
 * error and in the message too.
 */
export function networkCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { message?: unknown; code?: unknown; cause?: { code?: unknown }; errors?: { code?: unknown }[] };
  const candidates = [
    e.code,
    e.cause?.code,
    e.errors?.[0]?.code,
    typeof e.message === 'string' ? IN_MESSAGE.exec(e.message)?.[1] : undefined,
  ];
  return candidates.find((c): c is string => typeof c === 'string' && NETWORK_CODES.has(c));
}
