/**
 * Who signed a request, as far as the local stack can tell: the access key id in a SigV4
 * Authorization header (`AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/<service>/aws4_request,
 * SignedHeaders=…, Signature=…`). The local servers do not verify signatures (they hold no secrets);
 * they only need to tell the local principals apart. In AWS, SigV4 and IAM decide who a caller is.
 */
import type { IncomingHttpHeaders } from 'node:http';

const CREDENTIAL = /^AWS4-HMAC-SHA256\s+Credential=([A-Za-z0-9]{1,128})\//;

/** The access key id the request was signed with; undefined for an unsigned (or unreadable) request. */
export function accessKeyIdOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization !== 'string') return undefined;
  return CREDENTIAL.exec(authorization)?.[1];
}
