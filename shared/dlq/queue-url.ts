/**
 * Is this URL the workspace's DLQ? (security review M7.) A DLQ URL (the CLI's --queue-url, the
 * functions' DLQ_URL) decides which queue replay reads and re-publishes from, so it must be exactly
 * `https://sqs.<region>.amazonaws.com/<12-digit account>/cc-reconciler-dlq-<ws>`, in the expected
 * region (and account, when the caller knows it), or a loopback URL naming the same queue for the
 * local stack. Pure: callers turn a problem into their own error class (UsageError, ConfigError, a
 * red doctor line).
 */
import { isLoopbackHost } from '../aws/clients';
import { workspaceNames, type AccountScope } from '../naming';

export interface ExpectedDlq {
  workspace: string;
  region: string;
  /** When known (the function's own account, SQS's answer for the caller): the URL must be in it. */
  accountId?: string;
}

export interface DlqLocation {
  /** A loopback URL: the local stack's queue. */
  local: boolean;
  queueName: string;
  /** Region and account the queue lives in (what replay derives the workspace's ARNs from). */
  scope: AccountScope;
}

export type DlqUrlCheck = { ok: true; location: DlqLocation } | { ok: false; problem: string };

const SQS_URL = /^https:\/\/sqs\.([a-z0-9-]{1,32})\.amazonaws\.com\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/;
const LOCAL_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80})$/;

function shapeProblem(url: string, dlq: string): string {
  return `${url} is not an SQS queue URL (expected https://sqs.<region>.amazonaws.com/<12-digit account>/${dlq}, or a loopback URL for the local stack)`;
}

/** A loopback URL: its host does not matter for routing (the client's endpoint does), its path must name the DLQ. */
function checkLocal(url: URL, raw: string, expected: ExpectedDlq, dlq: string): DlqUrlCheck {
  const path = LOCAL_PATH.exec(url.pathname);
  if (!path || url.search || url.hash || url.username || url.password)
    return { ok: false, problem: shapeProblem(raw, dlq) };
  return namedAndScoped(raw, path[2]!, expected, dlq, { region: expected.region, accountId: path[1]! }, true);
}

function namedAndScoped(
  raw: string,
  queueName: string,
  expected: ExpectedDlq,
  dlq: string,
  scope: AccountScope,
  local: boolean,
): DlqUrlCheck {
  if (queueName !== dlq)
    return { ok: false, problem: `${raw} names queue ${queueName}, not workspace ${expected.workspace}'s DLQ ${dlq}` };
  if (expected.accountId !== undefined && scope.accountId !== expected.accountId) {
    return {
      ok: false,
      problem: `${raw} is in account ${scope.accountId}, not ${expected.accountId} (the account this workspace runs in)`,
    };
  }
  return { ok: true, location: { local, queueName, scope } };
}

export function checkDlqUrl(raw: string, expected: ExpectedDlq): DlqUrlCheck {
  const dlq = workspaceNames(expected.workspace).dlq;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: shapeProblem(raw, dlq) };
  }
  if (isLoopbackHost(url.hostname.replace(/^\[(.*)\]$/, '$1'))) return checkLocal(url, raw, expected, dlq);
  const match = SQS_URL.exec(raw);
  if (!match) return { ok: false, problem: shapeProblem(raw, dlq) };
  const [, region, accountId, queueName] = match as unknown as [string, string, string, string];
  if (region !== expected.region)
    return { ok: false, problem: `${raw} is in region ${region}, not ${expected.region} (the region the clients use)` };
  return namedAndScoped(raw, queueName, expected, dlq, { region, accountId }, false);
}
