/**
 * Typed configuration, read once at start-up from the environment and validated with a message
 * that names what is missing. HANDLER_ENV is the single list of what each Lambda reads: Terraform
 * sets exactly these (tests/terraform checks both directions). AWS SDK standard variables
 * (AWS_REGION, AWS_ENDPOINT_URL_*) are read by the SDK / shared/aws/clients.ts, not listed here.
 */
import { ConfigError } from './errors';
import type { TableNames } from './tables';

export const HANDLERS = ['debit', 'refund', 'sweep', 'replay-dlq', 'reserve'] as const;
export type HandlerName = (typeof HANDLERS)[number];
/** Handlers a caller invokes and waits for (RequestResponse): no asynchronous queue or destination. */
export const SYNCHRONOUS_HANDLERS: readonly HandlerName[] = ['reserve'];

const TABLES = ['JOBS_TABLE', 'CREDITS_TABLE', 'LEDGER_TABLE', 'SETTLEMENTS_TABLE'] as const;
const COMMON = ['WORKSPACE', 'LOG_LEVEL'] as const;

export const HANDLER_ENV: Record<HandlerName, readonly string[]> = {
  debit: [...TABLES, 'DLQ_URL', 'OVERDRAFT_FLOOR_CREDITS', ...COMMON],
  refund: [...TABLES, 'DLQ_URL', ...COMMON],
  sweep: [
    ...TABLES,
    'ALERTS_TOPIC_ARN',
    'SWEEP_GRACE_MINUTES',
    'SWEEP_STUCK_AFTER_HOURS',
    'OVERDRAFT_FLOOR_CREDITS',
    ...COMMON,
  ],
  'replay-dlq': ['DLQ_URL', 'EVENT_BUS_NAME', 'REPLAY_MAX_REPLAYS', ...COMMON],
  reserve: ['CREDITS_TABLE', 'SETTLEMENTS_TABLE', 'HOLD_DEFAULT_SECONDS', ...COMMON],
};

/**
 * What Terraform sets on every function for Node itself, not for the handler: the heap sizes
 * (terraform/locals.tf node_options). Never read by handler code.
 */
export const RUNTIME_ENV = ['NODE_OPTIONS'] as const;

/** Variables a handler may go without; everything else in HANDLER_ENV is required. */
const OPTIONAL = new Set([
  'LOG_LEVEL',
  'WORKSPACE',
  'SWEEP_GRACE_MINUTES',
  'SWEEP_STUCK_AFTER_HOURS',
  'REPLAY_MAX_REPLAYS',
  'OVERDRAFT_FLOOR_CREDITS',
  'HOLD_DEFAULT_SECONDS',
]);

export type Env = Record<string, string | undefined>;

export function readEnv(handler: HandlerName, env: Env = process.env): Record<string, string | undefined> {
  const wanted = HANDLER_ENV[handler];
  const missing = wanted.filter((name) => !OPTIONAL.has(name) && !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(`${handler}: missing environment variable(s) ${missing.join(', ')}`);
  }
  return Object.fromEntries(wanted.map((name) => [name, env[name]]));
}

export function tablesFrom(values: Record<string, string | undefined>): TableNames {
  return {
    jobs: values.JOBS_TABLE!,
    credits: values.CREDITS_TABLE!,
    ledger: values.LEDGER_TABLE!,
    settlements: values.SETTLEMENTS_TABLE!,
  };
}

/** Reads a positive integer setting with a default and an upper bound (everything has a limit). */
export function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  return boundedInt(name, raw, fallback, 1, max);
}

/** Reads an integer setting in [min, max] with a default. */
export function boundedInt(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}
