/**
 * The one builder of every change to a Credits item. A balance item carries three figures, kept
 * together by every write in the same expression:
 *   remaining  the credits the ledger says the user has (Σ credits − Σ debits)
 *   held       the credits reserved by the user's active holds
 *   available  remaining − held: what a new hold or a debit may use
 * DynamoDB conditions cannot do arithmetic, so `available` is stored for the guards to compare.
 * An item written before holds existed has neither `held` nor `available`: it is read as held 0 and
 * available = remaining (`if_not_exists`), and gains both on its first write.
 */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';

type Update = NonNullable<TransactWriteItem['Update']>;

export interface BalanceDelta {
  remaining: number;
  held: number;
}

/**
 * How much `available` must cover for the write to land: nothing, all of `need` (covered), or all but
 * the overdraft floor (`available − need >= −floorCredits`).
 */
export type BalanceGuard =
  { kind: 'none' } | { kind: 'covered'; need: number } | { kind: 'floor'; need: number; floorCredits: number };

const n = (value: number): AttributeValue => ({ N: String(value) });

/** `available >= :v`, read as `remaining >= :v` on an item from before holds (no `available` yet). */
function availableAtLeast(value: string): string {
  return `(available >= ${value} OR (attribute_not_exists(available) AND remaining >= ${value}))`;
}

function guardExpression(guard: BalanceGuard): { condition?: string; values: Record<string, AttributeValue> } {
  if (guard.kind === 'none' || guard.need <= 0) return { values: {} };
  if (guard.kind === 'covered') return { condition: availableAtLeast(':need'), values: { ':need': n(guard.need) } };
  const lowest = guard.need - guard.floorCredits;
  // No Credits item yet means a balance of 0, which is within the floor when the need is.
  const noItem = lowest <= 0 ? 'attribute_not_exists(remaining) OR ' : '';
  return { condition: `${noItem}${availableAtLeast(':lowest')}`, values: { ':lowest': n(lowest) } };
}

/** `returnOnFailure`: a failed guard returns the balance item (a refused hold says what is available). */
export function balanceUpdate(
  table: string,
  userId: string,
  delta: BalanceDelta,
  guard: BalanceGuard,
  nowIso: string,
  returnOnFailure = false,
): Update {
  const availableDelta = delta.remaining - delta.held;
  const sets = [
    'updatedAt = :now',
    'available = if_not_exists(available, if_not_exists(remaining, :zero)) + :dAvailable',
  ];
  const values: Record<string, AttributeValue> = {
    ':now': { S: nowIso },
    ':zero': n(0),
    ':dAvailable': n(availableDelta),
  };
  if (delta.held !== 0) {
    sets.push('held = if_not_exists(held, :zero) + :dHeld');
    values[':dHeld'] = n(delta.held);
  }
  let expression = `SET ${sets.join(', ')}`;
  if (delta.remaining !== 0) {
    expression += ' ADD remaining :dRemaining';
    values[':dRemaining'] = n(delta.remaining);
  }
  const { condition, values: guardValues } = guardExpression(guard);
  return {
    TableName: table,
    Key: { userId: { S: userId } },
    UpdateExpression: expression,
    ExpressionAttributeValues: { ...values, ...guardValues },
    ...(condition ? { ConditionExpression: condition } : {}),
    ...(condition && returnOnFailure ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}
