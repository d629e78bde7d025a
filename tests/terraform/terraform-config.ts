/**
 * What the real configuration is checked against, shared by the test files: the handler list, the
 * environment each reads, the table definitions, the workspaces and each handler's exact actions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HANDLERS, HANDLER_ENV, RUNTIME_ENV } from '../../shared/config';
import { TABLE_DEFINITIONS } from '../../shared/tables';
import type { Expectations } from './checks';
import type { TablePolicyExpectation } from './perimeter-checks';
import { PLATFORM_GRANTS } from './platform-grants';
import { loadProviderSchemas } from './provider-schema';
import type { Needed } from '../support/sdk-recorder';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const TERRAFORM_DIR = path.join(REPO_ROOT, 'terraform');
/** What each handler's code was recorded sending, as IAM needs (see least-privilege.integration.test.ts). */
export const ROLE_NEEDS_FILE = path.join(__dirname, 'role-needs.json');
export const ROLE_NEEDS: Record<string, Needed[]> = JSON.parse(readFileSync(ROLE_NEEDS_FILE, 'utf8'));
export const BROKEN_FIXTURE_DIR = path.join(__dirname, 'fixtures', 'broken');

/** Handler directories under functions/ (at test time), plus HANDLERS for any not written yet. */
export function handlerNames(): string[] {
  const dir = path.join(REPO_ROOT, 'functions');
  const found = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
    : [];
  return [...new Set([...found, ...HANDLERS])].sort();
}

/**
 * The actions each handler's role holds: what the recording shows its code sending
 * (role-needs.json, written by least-privilege.integration.test.ts) and what AWS itself needs
 * (platform-grants.ts). The integration test compares them per resource; this is the action-level
 * view the structure checkers use on fixtures.
 */
export const HANDLER_ACTIONS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(PLATFORM_GRANTS).map(([handler, platform]) => [
    handler,
    [...new Set([...(ROLE_NEEDS[handler] ?? []), ...platform].map((g) => g.action))].sort(),
  ]),
);

/**
 * What each money table's resource policy must deny, and whose roles stay exempt (besides
 * break-glass). The handlers' identity policies above stay what the code needs; these bound what
 * any identity policy could ever add.
 */
export const TABLE_POLICIES: Record<string, TablePolicyExpectation> = {
  // Append-only: entries are only ever PutItem'd (conditional), never changed or removed.
  ledger: {
    deny: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQL*'],
    writers: [],
  },
  // A balance changes only by UpdateItem inside its ledger transaction: never overwritten or removed.
  credits: {
    deny: [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLDelete',
    ],
    writers: [],
  },
  // The reconciler's own state: its settling roles and reserve (holds) write it, nobody else.
  settlements: {
    deny: [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PartiQLDelete',
    ],
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
    runtimeEnv: RUNTIME_ENV,
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
