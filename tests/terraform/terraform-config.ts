/**
 * What the real configuration is checked against, shared by the test files: the handler list, the
 * environment each reads, the table definitions, the workspaces and each handler's exact actions.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, HANDLER_ENV } from '../../shared/config';
import { TABLE_DEFINITIONS } from '../../shared/tables';
import type { Expectations } from './checks';
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
};

export function expectations(): Expectations {
  return {
    handlers: handlerNames(),
    handlerEnv: HANDLER_ENV,
    tableDefinitions: TABLE_DEFINITIONS,
    workspaces: ['dev', 'staging', 'prod'],
    handlerActions: HANDLER_ACTIONS,
    awsProviderVersion: loadProviderSchemas().awsVersion,
  };
}
