/**
 * `make local` as a producer team uses it (issue 15): the script runs as a child process, prints its
 * `export` lines; a plain SDK client with those settings puts a video.rendered event; `reconciler
 * balance` (the CLI, another child process) sees the debit; SIGTERM stops everything (the child, its
 * DynamoDB Local java process, every port); a second start on the same data keeps the balance. The
 * terminal shows a line per settled event; a start on ports in use is refused before it starts anything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DEFAULT_PRICE_BOOK, priceOf } from '../../shared/pricing';

const root = join(__dirname, '..', '..');
const script = join(root, 'scripts', 'local', 'run-local.ts');
const cliEntry = join(root, 'cli', 'entry.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'make-local-'));
/** Away from the default 8000 and from the ports the test run's own servers take. */
const BASE_PORT = 18_400 + (process.pid % 500) * 4;
const PORTS = [BASE_PORT, BASE_PORT + 1, BASE_PORT + 2, BASE_PORT + 3];
const JOB = { jobId: 'local-job-1', userId: 'producer-user', seconds: 12, model: 'gen-standard' };
const PRICE = priceOf(DEFAULT_PRICE_BOOK, JOB);

interface Started {
  child: ChildProcess;
  env: Record<string, string>;
  output: () => string;
}

/** Starts the script; resolves once it printed its export lines. */
function startLocal(): Promise<Started> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, '--data-dir', dataDir, '--base-port', String(BASE_PORT), '--sweep-every', '5'],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stderr!.on('data', (chunk) => {
    out += String(chunk);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      if (!out.includes('Ctrl-C stops everything')) return;
      const env = Object.fromEntries([...out.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
      resolve({ child, env, output: () => out });
    });
    child.on('exit', (code) => reject(new Error(`make local exited ${code} before it was up:\n${out}`)));
  });
}

function stopLocal(started: Started): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.on('exit', (code) => resolve(code));
    started.child.kill('SIGTERM');
  });
}

function reconciler(env: Record<string, string>, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, ...env },
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

async function balanceOf(env: Record<string, string>, userId: string): Promise<number> {
  const { code, out, err } = reconciler(env, 'balance', '--user', userId, '--json');
  if (code !== 0) throw new Error(`reconciler balance exited ${code}: ${err}`);
  return (JSON.parse(out) as { remaining: number }).remaining;
}

async function until<T>(look: () => Promise<T>, done: (seen: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const seen = await look();
    if (done(seen) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer().once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const javaOnPort = (port: number) =>
  spawnSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${port}`], { encoding: 'utf8' }).stdout.trim();

test('a producer integrates locally: exports, an event, the balance, a clean stop, and the books kept', async () => {
  const first = await startLocal();
  expect(first.env).toMatchObject({
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${BASE_PORT}`,
    AWS_ENDPOINT_URL_SQS: `http://127.0.0.1:${BASE_PORT + 1}`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${BASE_PORT + 3}`,
    EVENT_BUS_NAME: 'cc-reconciler-events-local',
    JOBS_TABLE: 'Jobs-local',
  });
  expect(first.env.DLQ_URL).toContain(`127.0.0.1:${BASE_PORT + 1}`);
  try {
    expect(
      reconciler(first.env, 'grant', '--user', JOB.userId, '--credits', '100', '--reference', 'opening').code,
    ).toBe(0);
    // The producer's own code: a plain SDK client with nothing but the printed settings.
    const producer = new EventBridgeClient({
      region: first.env.AWS_REGION,
      endpoint: first.env.AWS_ENDPOINT_URL_EVENTBRIDGE,
      credentials: { accessKeyId: first.env.AWS_ACCESS_KEY_ID!, secretAccessKey: first.env.AWS_SECRET_ACCESS_KEY! },
    });
    const put = await producer.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'video.generation',
            DetailType: 'video.rendered',
            Detail: JSON.stringify(JOB),
            EventBusName: first.env.EVENT_BUS_NAME,
          },
        ],
      }),
    );
    producer.destroy();
    expect(put.FailedEntryCount).toBe(0);
    expect(
      await until(
        () => balanceOf(first.env, JOB.userId),
        (b) => b !== 100,
      ),
    ).toBe(100 - PRICE);
    // The terminal's one line for the settled event (printed once the handler returned, after the commit).
    const settled = `video.rendered user ${JOB.userId} job ${JOB.jobId}: debited ${PRICE} credits`;
    expect(
      await until(
        async () => first.output(),
        (out) => out.includes(settled),
      ),
    ).toContain(settled);
    // A second make local on the same ports is refused before it starts anything; the first stays whole.
    const secondDir = mkdtempSync(join(tmpdir(), 'make-local-2-'));
    const second = spawnSync(
      process.execPath,
      ['--import', 'tsx', script, '--data-dir', secondDir, '--base-port', String(BASE_PORT)],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      },
    );
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`already in use on 127.0.0.1: port ${PORTS.join(', ')}`);
    expect(await balanceOf(first.env, JOB.userId)).toBe(100 - PRICE);
  } finally {
    expect(await stopLocal(first)).toBe(0);
  }
  expect(first.output()).toContain('SIGTERM: stopping the local stack');
  for (const port of PORTS) expect(await portIsFree(port)).toBe(true);
  expect(javaOnPort(BASE_PORT)).toBe('');

  const second = await startLocal();
  try {
    expect(await balanceOf(second.env, JOB.userId)).toBe(100 - PRICE);
  } finally {
    expect(await stopLocal(second)).toBe(0);
  }
}, 90_000);
