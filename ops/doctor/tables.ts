/**
 * Tables: each exists and is ACTIVE, with point-in-time recovery on (docs/design.md#3-tables). DynamoDB Local does
 * not implement DescribeContinuousBackups; there the PITR line says so (skipped), and anywhere else
 * an unanswerable PITR question is red.
 */
import { DescribeContinuousBackupsCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../shared/tables';
import { describeError, fail, guarded, isNotFound, pass, type CheckResult, type DoctorDeps } from './types';

export async function tableChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const names = Object.values(deps.names.tables as TableNames);
  const perTable = await Promise.all(
    names.map(async (table) => {
      const exists = await guarded(`table ${table}`, async () => {
        try {
          const { Table } = await deps.dynamodb.send(new DescribeTableCommand({ TableName: table }));
          if (Table?.TableStatus !== 'ACTIVE')
            return fail(`table ${table}`, `status ${Table?.TableStatus ?? 'unknown'} (expected ACTIVE)`);
          return pass(`table ${table}`, `ACTIVE, ${Table.ItemCount ?? '?'} items (approx.)`);
        } catch (error) {
          if (isNotFound(error)) return fail(`table ${table}`, 'does not exist: deploy with make apply WS=<ws>');
          throw error;
        }
      });
      if (!exists[0]!.ok) return [...exists, fail(`pitr ${table}`, 'table missing: nothing to check')];
      return [...exists, ...(await guarded(`pitr ${table}`, () => pitrCheck(deps, table)))];
    }),
  );
  return perTable.flat();
}

async function pitrCheck(deps: DoctorDeps, table: string): Promise<CheckResult> {
  const name = `pitr ${table}`;
  try {
    const { ContinuousBackupsDescription: d } = await deps.dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: table }),
    );
    const status = d?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
    if (status === 'ENABLED') {
      const earliest = d?.PointInTimeRecoveryDescription?.EarliestRestorableDateTime;
      return pass(
        name,
        `point-in-time recovery ENABLED${earliest ? `, restorable from ${earliest.toISOString()}` : ''}`,
      );
    }
    return fail(
      name,
      `point-in-time recovery ${status ?? 'unknown'}: restore points are not being kept; make apply WS=<ws> turns it back on`,
    );
  } catch (error) {
    if (deps.dynamoDbIsEmulator && (error as Error).name === 'UnknownOperationException') {
      return {
        name,
        ok: true,
        skipped: true,
        detail: 'not verifiable here: DynamoDB Local does not implement DescribeContinuousBackups',
      };
    }
    return fail(name, `could not read continuous backups: ${describeError(error)}`);
  }
}
