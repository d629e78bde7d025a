/**
 * Table definitions (docs/design.md#3-tables). Local tables (tests, demo, `reconciler tables create`) are created
 * from these; tests/terraform proves Terraform declares the same keys and indexes.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface TableNames {
  /** Producers' table: the reconciler reads it (the sweep also maintains its two index keys). */
  jobs: string;
  credits: string;
  ledger: string;
  /** The reconciler's own state per job (and the sweep's), written only by the reconciler's roles. */
  settlements: string;
}

export function tableNamesForWorkspace(workspace: string): TableNames {
  return {
    jobs: `Jobs-${workspace}`,
    credits: `Credits-${workspace}`,
    ledger: `Ledger-${workspace}`,
    settlements: `Settlements-${workspace}`,
  };
}

/** Ledger GSI: a user's history in time order (`reconciler ledger`, per-user audit). */
export const LEDGER_BY_USER_INDEX = 'byUser';
/** Ledger GSI: entries of one UTC day in time order, projecting userId (the sweep finds users touched since its last run). */
export const LEDGER_BY_DAY_INDEX = 'byDay';
/**
 * Jobs GSI, sparse: only jobs carrying `sweepShard` appear. Producers set it on creation; the
 * reconciler removes it when it settles the job, so the index holds unsettled jobs only.
 */
export const JOBS_UNSETTLED_INDEX = 'unsettled';
/** Producers spread `sweepShard` over this many string values, "0" … "15" (the producer contract). */
export const SWEEP_SHARD_COUNT = 16;
/**
 * Jobs GSI, sparse: jobs the reconciler debited, by the producer's `updatedAt`. The sweep sets
 * `debitedShard` when it takes a debited job off `unsettled`; querying a recent `updatedAt` window
 * finds debited jobs whose status later became `failed` (the refund backstop) without reading history.
 */
export const JOBS_DEBITED_INDEX = 'debited';
/**
 * Settlements GSIs, sparse: only ACTIVE holds carry their keys (`holdShard`, `activeHoldUser`); a
 * hold that ends leaves both. `holdsDue` by shard and expiry: the sweep reads the holds due now, never
 * history. `activeHolds` by user and expiry: a user's holds (`reconciler holds`, the audit of `held`).
 */
export const SETTLEMENTS_HOLDS_DUE_INDEX = 'holdsDue';
export const SETTLEMENTS_ACTIVE_HOLDS_INDEX = 'activeHolds';

type Definition = Omit<CreateTableCommandInput, 'TableName'>;

export const TABLE_DEFINITIONS: Record<keyof TableNames, Definition> = {
  credits: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
  },
  jobs: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'sweepShard', AttributeType: 'S' },
      { AttributeName: 'debitedShard', AttributeType: 'S' },
      { AttributeName: 'updatedAt', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: JOBS_DEBITED_INDEX,
        KeySchema: [
          { AttributeName: 'debitedShard', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        // What the refund backstop builds a failed event from, nothing more.
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['userId', 'model', 'seconds', 'credits', 'status', 'reason'],
        },
      },
      {
        IndexName: JOBS_UNSETTLED_INDEX,
        KeySchema: [
          { AttributeName: 'sweepShard', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  },
  settlements: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'jobId', AttributeType: 'S' },
      { AttributeName: 'holdShard', AttributeType: 'S' },
      { AttributeName: 'activeHoldUser', AttributeType: 'S' },
      { AttributeName: 'holdExpiresAt', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: SETTLEMENTS_HOLDS_DUE_INDEX,
        KeySchema: [
          { AttributeName: 'holdShard', KeyType: 'HASH' },
          { AttributeName: 'holdExpiresAt', KeyType: 'RANGE' },
        ],
        Projection: {
          ProjectionType: 'INCLUDE',
          NonKeyAttributes: ['holdCredits', 'holdUserId', 'holdState', 'heldAt'],
        },
      },
      {
        IndexName: SETTLEMENTS_ACTIVE_HOLDS_INDEX,
        KeySchema: [
          { AttributeName: 'activeHoldUser', KeyType: 'HASH' },
          { AttributeName: 'holdExpiresAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['holdCredits', 'holdState', 'heldAt'] },
      },
    ],
  },
  ledger: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'ledgerId', AttributeType: 'S' },
      { AttributeName: 'userId', AttributeType: 'S' },
      { AttributeName: 'timestamp', AttributeType: 'S' },
      { AttributeName: 'day', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'ledgerId', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEDGER_BY_USER_INDEX,
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'timestamp', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: LEDGER_BY_DAY_INDEX,
        KeySchema: [
          { AttributeName: 'day', KeyType: 'HASH' },
          { AttributeName: 'timestamp', KeyType: 'RANGE' },
        ],
        // userId is all the sweep needs from it: which users were touched since its last run.
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['userId'] },
      },
    ],
  },
};
