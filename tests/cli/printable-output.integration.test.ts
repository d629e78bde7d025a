/**
 * Untrusted text in the CLI's human output is inert (security review L2): what the tables hold
 * (ledger descriptions, user ids a producer or a direct write put there) and what an argument says
 * is printed with control characters escaped, one line per line; `--json` still carries the values
 * exactly. Against DynamoDB Local, through `main` as an operator runs it.
 */
import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { grantCredits } from '../../shared/ledger/manual-entries';
import type { TableNames } from '../../shared/tables';
import { capturedCli, pointCliAt } from '../support/cli-run';
import { dropTables, freshTables, localDynamo } from '../support/local-aws';

/** Clears the screen, sets the terminal title, fakes a new line, and reverses the rest of it. */
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007\nFAKE LINE\u202e';
const HOSTILE_SHOWN = '\\x1b[2J\\x1b]0;pwned\\x07\\nFAKE LINE\\u202e';

let db: DynamoDBClient;
let tables: TableNames;
const run = capturedCli();

/** No control character but the line breaks between lines, and no line that is not expected. */
function expectInert(text: string, lines: number) {
  expect(
    [...text].filter(
      (c) =>
        c !== '\n' &&
        (c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) || c === '\u202e'),
    ),
  ).toEqual([]);
  expect(text.split('\n').filter((l) => l !== '')).toHaveLength(lines);
}

beforeEach(async () => {
  db = localDynamo();
  tables = await freshTables(db, 'printable');
  pointCliAt(tables);
});
afterEach(async () => {
  await dropTables(db, tables);
  db.destroy();
});

test('ledger: a description with terminal escapes is one escaped line; --json keeps it exactly', async () => {
  await grantCredits(
    { dynamodb: db, tables },
    { userId: 'u1', credits: 5, reference: 'g1', description: `top-up ${HOSTILE}` },
  );
  const human = await run('ledger', '--user', 'u1');
  expect(human.code).toBe(0);
  expectInert(human.out, 1);
  expect(human.out).toMatch(
    new RegExp(`\\+ +5  grant +grant#g1  top-up ${HOSTILE_SHOWN.replace(/[\\[\]()]/g, '\\$&')}\\n$`),
  );
  expect(JSON.parse((await run('ledger', '--user', 'u1', '--json')).out).entries[0].description).toBe(
    `top-up ${HOSTILE}`,
  );
});

test('balance and audit: a user id written to the tables directly is escaped', async () => {
  const user = `u${HOSTILE}`;
  await db.send(
    new PutItemCommand({
      TableName: tables.credits,
      Item: { userId: { S: user }, remaining: { N: '7' }, updatedAt: { S: `2026-01-01T00:00:00.000Z${HOSTILE}` } },
    }),
  );

  const balance = await run('balance', '--user', user);
  expectInert(balance.out, 1);
  expect(balance.out).toBe(
    `u${HOSTILE_SHOWN}: 7 credits, 0 held, 7 available (updated 2026-01-01T00:00:00.000Z${HOSTILE_SHOWN})\n`,
  );
  const none = await run('balance', '--user', `nobody${HOSTILE}`);
  expect(none.out).toBe(`nobody${HOSTILE_SHOWN}: no balance recorded (0 credits)\n`);

  const audit = await run('audit');
  expect(audit.code).toBe(1);
  expectInert(audit.out, 3);
  expect(audit.out).toContain(`  u${HOSTILE_SHOWN}: balance 7, ledger says 0 (off by 7)`);
  expect(JSON.parse((await run('audit', '--json')).out).drift[0].userId).toBe(user);
});

test('a page whose entry was rewritten with escapes stays two lines: the entry, and the cursor to the next page', async () => {
  for (const ref of ['a', 'b'])
    await grantCredits({ dynamodb: db, tables }, { userId: 'u2', credits: 1, reference: ref, description: 'g' });
  await db.send(
    new UpdateItemCommand({
      TableName: tables.ledger,
      Key: { ledgerId: { S: 'grant#a' } },
      UpdateExpression: 'SET #d = :d',
      ExpressionAttributeNames: { '#d': 'description' },
      ExpressionAttributeValues: { ':d': { S: HOSTILE } },
    }),
  );
  const page = await run('ledger', '--user', 'u2', '--limit', '1', '--oldest-first');
  expectInert(page.out, 2);
  expect(page.out).toMatch(/\nmore: --cursor \S+\n$/);
});

test('error messages that quote an argument stay one inert line on stderr; --json carries the message exactly', async () => {
  const unknown = await run(`frob${HOSTILE}`);
  expect(unknown.code).toBe(2);
  expectInert(unknown.err, 1);
  expect(unknown.err).toBe(`reconciler: unknown command "frob${HOSTILE_SHOWN}"; run \`reconciler help\`\n`);

  const badUser = await run('grant', '--user', `x${HOSTILE}`, '--credits', '5', '--reference', 'r', '--json');
  expect(badUser.code).toBe(2);
  expectInert(badUser.err, 1);
  expect(JSON.parse(badUser.out).error).toContain(`user id "x${HOSTILE}"`);
});
