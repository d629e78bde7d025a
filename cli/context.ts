/**
 * What every CLI command shares: parsed global flags, AWS clients, table names, output helpers,
 * and the mapping from errors to exit codes (documented in docs/cli.md#exit-codes).
 */
import { makeDynamoDbClient } from '../shared/aws/clients';
import { networkCode } from '../shared/aws/network-errors';
import {
  ConflictingReferenceError,
  InvariantViolation,
  UsageError,
  ConfigError,
  InvalidEventError,
  InvalidRequestError,
} from '../shared/errors';
import type { LedgerDeps } from '../shared/ledger/types';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';

export const EXIT = { ok: 0, findings: 1, usage: 2, unreachable: 3, conflict: 4, internal: 70 } as const;

export interface GlobalOptions {
  json: boolean;
  workspace?: string;
  endpoint?: string;
  region?: string;
}

export interface CliContext {
  options: GlobalOptions;
  /** Resolved on first use, so commands that need no tables (replay-dlq --queue-url) need no table settings. */
  readonly tables: TableNames;
  ledger: () => LedgerDeps;
  out: (human: string, json?: unknown) => void;
  progress: (line: string) => void;
}

export function resolveTables(options: GlobalOptions, env = process.env): TableNames {
  if (options.workspace) return tableNamesForWorkspace(options.workspace);
  if (env.JOBS_TABLE && env.CREDITS_TABLE && env.LEDGER_TABLE && env.SETTLEMENTS_TABLE) {
    return {
      jobs: env.JOBS_TABLE,
      credits: env.CREDITS_TABLE,
      ledger: env.LEDGER_TABLE,
      settlements: env.SETTLEMENTS_TABLE,
    };
  }
  if (env.WORKSPACE) return tableNamesForWorkspace(env.WORKSPACE);
  throw new UsageError(
    'which tables? pass --workspace <ws> (dev, staging, prod, local) or set JOBS_TABLE, CREDITS_TABLE, LEDGER_TABLE and SETTLEMENTS_TABLE',
  );
}

export function createContext(options: GlobalOptions): CliContext {
  let deps: LedgerDeps | undefined;
  let tables: TableNames | undefined;
  const resolved = () => (tables ??= resolveTables(options));
  return {
    options,
    get tables() {
      return resolved();
    },
    ledger: () =>
      (deps ??= {
        dynamodb: makeDynamoDbClient({ endpoint: options.endpoint, region: options.region, maxAttempts: 3 }),
        tables: resolved(),
      }),
    out: (human, json) => {
      if (options.json) process.stdout.write(`${JSON.stringify(json ?? { message: human })}\n`);
      else process.stdout.write(`${human}\n`);
    },
    progress: (line) => {
      if (!options.json && process.stderr.isTTY) process.stderr.write(`\r${line}`);
    },
  };
}

/**
 * The network code when `error` says an endpoint could not be reached, else undefined. Every
 * command asks this one function (each names the endpoint it was talking to in its own message).
 */
export const unreachableCode = networkCode;

/** Maps an error to a clear one-line message and an exit code. */
export function explainError(error: unknown): { message: string; exitCode: number } {
  const e = error as { name?: string; message?: string };
  const code = unreachableCode(error);
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof InvalidEventError ||
    error instanceof InvalidRequestError
  )
    return { message: e.message ?? String(error), exitCode: EXIT.usage };
  if (error instanceof ConflictingReferenceError)
    return { message: e.message ?? String(error), exitCode: EXIT.conflict };
  if (error instanceof InvariantViolation)
    return { message: `INVARIANT VIOLATED: ${e.message}`, exitCode: EXIT.internal };
  if (code) {
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB ?? process.env.AWS_ENDPOINT_URL ?? 'AWS';
    return {
      message: `cannot reach DynamoDB at ${endpoint} (${code}). Is the endpoint up? Set AWS_ENDPOINT_URL_DYNAMODB or --endpoint for a local one.`,
      exitCode: EXIT.unreachable,
    };
  }
  if (e.name === 'ResourceNotFoundException') {
    return {
      message: `a table does not exist (${e.message}). Create local tables with \`reconciler tables create\`, or deploy with \`make apply WS=<ws>\`.`,
      exitCode: EXIT.unreachable,
    };
  }
  if (
    e.name === 'CredentialsProviderError' ||
    e.name === 'UnrecognizedClientException' ||
    e.name === 'ExpiredTokenException'
  ) {
    return { message: `AWS credentials problem: ${e.message}`, exitCode: EXIT.unreachable };
  }
  return { message: `${e.name ?? 'Error'}: ${e.message ?? String(error)}`, exitCode: EXIT.internal };
}
