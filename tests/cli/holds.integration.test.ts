/** `reconciler hold`, `holds` and `release` in-process against DynamoDB Local: answers, exit codes, idempotency. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../../shared/tables';
import { capturedCli, pointCliAt } from '../support/cli-run';
import { dropTables, freshTables, localDynamo } from '../support/local-aws';

let db: DynamoDBClient;
let tables: TableNames;
const run = capturedCli();

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTables(db, 'cli-holds');
  pointCliAt(tables);
  delete process.env.HOLD_DEFAULT_SECONDS;
  await run('grant', '--user', 'u1', '--credits', '50', '--reference', 'opening');
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

test('hold reserves, says what is available after, and the same hold again is answered the same (exit 0)', async () => {
  const held = await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '20', '--expires-in', '600');
  expect(held.code).toBe(0);
  expect(held.out).toMatch(/^held: 20 credits for job j1 of u1 until \S+; 30 available after \(hold:j1\)\n$/);
  const again = await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '20', '--json');
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out)).toMatchObject({ status: 'held', alreadyHeld: true, availableAfter: 30 });
  expect(JSON.parse((await run('balance', '--user', 'u1', '--json')).out)).toMatchObject({
    remaining: 50,
    held: 20,
    available: 30,
  });
  expect((await run('balance', '--user', 'u1')).out).toContain('u1: 50 credits, 20 held, 30 available');
});

test('refused (exit 1) and conflict (exit 4) change nothing', async () => {
  await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '20');
  const refused = await run('hold', '--user', 'u1', '--job', 'j2', '--credits', '31');
  expect(refused.code).toBe(1);
  expect(refused.out).toMatch(/refused: u1 has 30 credits available, 31 asked; nothing changed/);
  const conflict = await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '21');
  expect(conflict.code).toBe(4);
  expect(conflict.out).toMatch(/conflict: job j1 already has a hold of 20 credits for u1/);
  expect(JSON.parse((await run('balance', '--user', 'u1', '--json')).out)).toMatchObject({ held: 20, available: 30 });
});

test('bad flags are usage errors (exit 2)', async () => {
  expect((await run('hold', '--user', 'u1', '--job', 'j1')).code).toBe(2);
  const zero = await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '0');
  expect(zero.code).toBe(2);
  expect(zero.err).toMatch(/credits must be an integer from 1/);
  expect((await run('hold', '--user', 'u1', '--job', 'j#1', '--credits', '5')).code).toBe(2);
  expect((await run('release')).code).toBe(2);
});

test('holds lists the active holds soonest first; release ends one, and a second release says why not (exit 1)', async () => {
  await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '20', '--expires-in', '900');
  await run('hold', '--user', 'u1', '--job', 'j2', '--credits', '5', '--expires-in', '60');
  const listed = await run('holds', '--user', 'u1');
  expect(
    listed.out
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(/\s+/)[0]),
  ).toEqual(['j2', 'j1']);
  const released = await run('release', '--job', 'j1');
  expect(released.code).toBe(0);
  expect(released.out).toMatch(/released: 20 credits of job j1 are available again/);
  const twice = await run('release', '--job', 'j1');
  expect(twice.code).toBe(1);
  expect(twice.out).toMatch(/nothing to release for job j1: its hold is RELEASED; nothing changed/);
  expect((await run('release', '--job', 'never')).out).toMatch(/the job has no hold/);
  expect(JSON.parse((await run('holds', '--user', 'u1', '--json')).out).holds).toEqual([
    expect.objectContaining({ jobId: 'j2', credits: 5, expired: false }),
  ]);
  expect((await run('holds', '--user', 'nobody')).out).toBe('nobody: no active holds\n');
});

test('HOLD_DEFAULT_SECONDS bounds the CLI like the function', async () => {
  process.env.HOLD_DEFAULT_SECONDS = '120';
  expect((await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '5', '--expires-in', '121')).code).toBe(2);
  expect((await run('hold', '--user', 'u1', '--job', 'j1', '--credits', '5', '--expires-in', '120')).code).toBe(0);
  delete process.env.HOLD_DEFAULT_SECONDS;
});
