/**
 * What DynamoDB Local itself costs: the JVM's CPU per request for each kind of request the benches
 * send, once the JVM is warm, and how busy it gets when our transaction is sent over one database or
 * spread over two. It explains the ceiling the throughput benches hit on a small machine
 * (docs/development/performance.md#the-emulators-ceiling); it is not part of `make bench` (about two
 * minutes, and nothing in it changes with the handler's code). Prints its numbers; writes nothing.
 *
 *   npx tsx bench/emulator-cost.bench.ts [--warm 12000] [--requests 2000] [--concurrency 8]
 */
import { GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseVideoEvent } from '../shared/events/parse-video-event';
import { debitWrite } from '../shared/ledger/transactions';
import { forEachBounded } from '../shared/pool';
import { DEFAULT_PRICE_BOOK } from '../shared/pricing';
import { tableNamesForWorkspace, type TableNames } from '../shared/tables';
import { cpuSecondsOf } from './support/process-cpu';
import { countingClient, renderedEvents, seed, USERS } from './support/ledger-setup';

const numberArg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const WARM = numberArg('warm', 12_000);
const REQUESTS = numberArg('requests', 2_000);
const CONCURRENCY = numberArg('concurrency', 8);
type Command = GetItemCommand | PutItemCommand | TransactWriteItemsCommand;

/** The three-item transaction ours sends for a new job (settlement, ledger entry, balance). */
function debitItems(tables: TableNames, prefix: string, n: number) {
  return renderedEvents(prefix, n).map((raw) => {
    const { event, priceCredits } = parseVideoEvent(raw, DEFAULT_PRICE_BOOK, 'rendered');
    const write = debitWrite(tables, event, priceCredits, new Date().toISOString(), { kind: 'covered' });
    if (write.kind !== 'transaction') throw new Error('a priced debit is a transaction');
    return write.input;
  });
}

const kinds: Record<string, (tables: TableNames, prefix: string, n: number) => Command[]> = {
  'GetItem (a balance)': (tables, _prefix, n) =>
    Array.from(
      { length: n },
      (_, i) => new GetItemCommand({ TableName: tables.credits, Key: { userId: { S: `user-${i % USERS}` } } }),
    ),
  'PutItem (a ledger entry, as in our transaction)': (tables, prefix, n) =>
    debitItems(tables, prefix, n).map((input) => new PutItemCommand(input.TransactItems!.find((t) => t.Put)!.Put!)),
  'TransactWriteItems, that Put alone': (tables, prefix, n) =>
    debitItems(tables, prefix, n).map(
      (input) => new TransactWriteItemsCommand({ TransactItems: input.TransactItems!.filter((t) => t.Put) }),
    ),
  'TransactWriteItems, ours (3 items)': (tables, prefix, n) =>
    debitItems(tables, prefix, n).map((input) => new TransactWriteItemsCommand(input)),
};

/** Sends `commands` at CONCURRENCY, spreading them over `clients` by user; requests/s and the JVM's CPU. */
async function send(pid: number, clients: DynamoDBClient[], commands: Command[]) {
  const cpuBefore = cpuSecondsOf(pid);
  const started = performance.now();
  await forEachBounded(
    commands.map((command, i) => ({ command, client: clients[i % clients.length]! })),
    CONCURRENCY,
    ({ command, client }) => client.send(command as TransactWriteItemsCommand),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSecondsOf(pid) - cpuBefore;
  return { perSecond: commands.length / seconds, cpuMsPerRequest: (1000 * cpu) / commands.length, busy: cpu / seconds };
}

const line = (label: string, r: Awaited<ReturnType<typeof send>>) =>
  console.log(
    `${label.padEnd(52)} ${r.perSecond.toFixed(0).padStart(5)} req/s  JVM ${r.cpuMsPerRequest.toFixed(2)} ms CPU per request, ${(100 * r.busy).toFixed(0)} % of one core`,
  );

/** One JVM with one database per access key (-sharedDb off): two clients, each with its own database. */
async function main() {
  const { startDynamoDbLocal } = await import('../scripts/local/dynamodb-local.mjs' as string);
  const dynamo = await startDynamoDbLocal({ memoryMb: 1024, sharedDb: false });
  try {
    const tables = tableNamesForWorkspace('emulator');
    const clients = [0, 1].map((k) => countingClient(dynamo.endpoint, { database: `database${k}` }).client);
    for (const client of clients) await seed('emulator', client, tables);
    const ours = kinds['TransactWriteItems, ours (3 items)']!;
    line(`warm-up: ${WARM} of our transactions`, await send(dynamo.pid, clients.slice(0, 1), ours(tables, 'w', WARM)));
    console.log(`\nwarm, one database, concurrency ${CONCURRENCY}, ${REQUESTS} requests each:`);
    for (const [i, [label, make]] of Object.entries(kinds).entries())
      line(label, await send(dynamo.pid, clients.slice(0, 1), make(tables, `kind${i}`, REQUESTS)));
    console.log(`\nour transaction spread over two databases of the same JVM (users split between them):`);
    line('one database', await send(dynamo.pid, clients.slice(0, 1), ours(tables, 's1', REQUESTS)));
    line('two databases', await send(dynamo.pid, clients, ours(tables, 's2', REQUESTS)));
    for (const client of clients) client.destroy();
  } finally {
    await dynamo.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
