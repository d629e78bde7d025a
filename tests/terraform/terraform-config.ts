/**
 * What the real configuration is checked against, shared by the test files: the handler list, the
 * environment each reads, the table definitions, the workspaces and each handler's exact actions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, HANDLER_ENV } from '../../shared/config';
import { TABLE_DEFINITIONS } from '../../shared/tables';
import type { Expectations } from './checks';
import type { TablePolicyExpectation } from './perimeter-checks';
import { loadProviderSchemas } from './provider-schema';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const TERRAFORM_DIR = path.join(REPO_ROOT, 'terraform');
export const BROKEN_FIXTURE_DIR = path.join(__dirname, 'fixtures', 'broken');

/** Handler directories under functions/ (at test time), plus HANDLERS for any not written yet. */
export function handlerNames(): string[] {
  const dir = path.join(REPO_ROOT, 'functions');
  const found = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  return [...new Set([...found, ...HANDLERS])].sort();
}

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const DEBIT = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'sqs:SendMessage', ...LOGS];
const REFUND = [...DEBIT, 'dynamodb:ConditionCheckItem'];

export const HANDLER_ACTIONS: Record<string, readonly string[]> = {
  debit: DEBIT,
  refund: REFUND,
  sweep: [...REFUND, 'dynamodb:BatchGetItem', 'dynamodb:Query', 'sns:Publish'],
  'replay-dlq': [
    'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes',
    'sqs:SendMessage', // async on-failure destination
    'events:PutEvents', ...LOGS,
  ],
  // Synchronous: no on-failure destination, so no sqs:SendMessage.
  reserve: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', ...LOGS],
};

/**
 * What each money table's resource policy must deny, and whose roles stay exempt (besides
 * break-glass). The handlers' identity policies above stay what the code needs; these bound what
 * any identity policy could ever add.
 */
export const TABLE_POLICIES: Record<string, TablePolicyExpectation> = {
  // Append-only: entries are only ever PutItem'd (conditional), never changed or removed.
  ledger: { deny: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQL*'], writers: [] },
  // A balance changes only by UpdateItem inside its ledger transaction: never overwritten or removed.
  credits: { deny: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLDelete'], writers: [] },
  // The reconciler's own state: its settling roles and reserve (holds) write it, nobody else.
  settlements: {
    deny: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
    writers: ['debit', 'refund', 'sweep', 'reserve'],
  },
};

/** Settings a prod plan refuses to go without (main.tf, terraform_data.prod_guard). */
export const PROD_REQUIRED = ['allowed_account_ids', 'alarm_email_subscriptions', 'producer_principal_arns'] as const;

/** The alarms runbook index: one row per alarm, each linking to its page. */
export function alarmsRunbook(): string {
  return readFileSync(path.join(REPO_ROOT, 'docs', 'operations', 'alarms.md'), 'utf8');
}

export function expectations(): Expectations {
  return {
    handlers: handlerNames(),
    handlerEnv: HANDLER_ENV,
    tableDefinitions: TABLE_DEFINITIONS,
    workspaces: ['dev', 'staging', 'prod'],
    handlerActions: HANDLER_ACTIONS,
    awsProviderVersion: loadProviderSchemas().awsVersion,
    tablePolicies: TABLE_POLICIES,
    breakGlassVariable: 'break_glass_role_arn',
    auditedTables: ['credits', 'ledger', 'settlements', 'jobs'],
    prodRequired: PROD_REQUIRED,
    heartbeatMetric: 'SweepRuns',
    alarmsRunbook: alarmsRunbook(),
  };
}
